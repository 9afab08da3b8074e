import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { NoCipher, type Cipher } from './cipher.ts';
import { InvalidKeyValueError } from './errors.ts';
import { checkName, cryptoContext, MAX_VALUE_BYTES, partitionOf, type KeyRef, type Scope } from './keys.ts';
import type { KeyValueItem, KeyValuePair } from './types.ts';

export interface KeyValueStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** @default NoCipher (secrets refused) */
  cipher?: Cipher;
  /** @default Date.now */
  now?: () => number;
}

export interface SetOptions {
  /** Store it encrypted. @default false */
  encrypt?: boolean;
  /** Seconds until it expires (a positive integer). @default never */
  ttl?: number;
}

export interface ListOptions {
  /** Only names starting with this. */
  prefix?: string;
  /** Secrets in plaintext. @default false */
  decrypt?: boolean;
}

/** The partition key and sort key of the keyvalue table (they must match serverless.yml). */
const KEY = { partition: 'partition', name: 'name' } as const;

function checkTtl(ttl: unknown): number | undefined {
  if (ttl === undefined || ttl === null) return undefined;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1) {
    throw new InvalidKeyValueError(`invalid ttl: expected a positive whole number of seconds, got ${JSON.stringify(ttl)}`);
  }
  return ttl;
}

/**
 * st2's datastore on DynamoDB: one item per key, partitioned by scope (`system`, `user:<name>`),
 * sorted by name. Values are strings (as st2's); secrets are stored encrypted by `cipher`.
 * A key past its TTL is absent, even before DynamoDB's TTL deletes it.
 * @example await kv.set({ scope: 'system', name: 'db_host' }, 'db1'); (await kv.get({ scope: 'system', name: 'db_host' }))?.value // 'db1'
 */
export class KeyValueStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #cipher: Cipher;
  readonly #now: () => number;

  constructor(options: KeyValueStoreOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#cipher = options.cipher ?? new NoCipher();
    this.#now = options.now ?? Date.now;
  }

  #live(item: KeyValueItem): boolean {
    return item.expires_at === undefined || item.expires_at * 1000 > this.#now();
  }

  async #toPair(item: KeyValueItem, scope: Scope, user: string | undefined, decrypt: boolean): Promise<KeyValuePair> {
    const plain = item.secret && decrypt;
    const value = plain ? await this.#cipher.decrypt(item.value, cryptoContext({ scope, user, name: item.name })) : item.value;
    return {
      name: item.name,
      value,
      scope: `st2kv.${scope}`,
      ...(scope === 'user' ? { user } : {}),
      secret: item.secret,
      encrypted: item.secret && !plain,
      ...(item.expires_at !== undefined ? { expire_timestamp: new Date(item.expires_at * 1000).toISOString() } : {}),
      updated_at: item.updated_at,
    };
  }

  /** The key, or undefined when it does not exist or has expired. A secret's value is its ciphertext unless `decrypt`. */
  async get(ref: KeyRef, options: { decrypt?: boolean } = {}): Promise<KeyValuePair | undefined> {
    const { Item } = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: { [KEY.partition]: partitionOf(ref.scope, ref.user), [KEY.name]: checkName(ref.name) },
        ConsistentRead: true,
      }),
    );
    const item = Item as KeyValueItem | undefined;
    if (!item || !this.#live(item)) return undefined;
    return this.#toPair(item, ref.scope, ref.user, options.decrypt === true);
  }

  /** Creates or replaces the key. Values are strings, as in st2. */
  async set(ref: KeyRef, value: unknown, options: SetOptions = {}): Promise<KeyValuePair> {
    const name = checkName(ref.name);
    if (typeof value !== 'string')
      throw new InvalidKeyValueError(
        `invalid value for "${name}": expected a string (st2 stores strings; serialize others as JSON), got ${value === null ? 'null' : typeof value}`,
      );
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) {
      throw new InvalidKeyValueError(`invalid value for "${name}": expected at most ${MAX_VALUE_BYTES} bytes, got ${Buffer.byteLength(value)}`);
    }
    const ttl = checkTtl(options.ttl);
    const secret = options.encrypt === true;
    const now = this.#now();
    const item: KeyValueItem = {
      partition: partitionOf(ref.scope, ref.user),
      name,
      value: secret ? await this.#cipher.encrypt(value, cryptoContext(ref)) : value,
      secret,
      updated_at: new Date(now).toISOString(),
      ...(ttl !== undefined ? { expires_at: Math.floor(now / 1000) + ttl } : {}),
    };
    await this.#doc.send(new PutCommand({ TableName: this.#table, Item: item }));
    return this.#toPair(item, ref.scope, ref.user, false);
  }

  /** Deletes the key; false when there was none (or it had expired). */
  async delete(ref: KeyRef): Promise<boolean> {
    const { Attributes } = await this.#doc.send(
      new DeleteCommand({
        TableName: this.#table,
        Key: { [KEY.partition]: partitionOf(ref.scope, ref.user), [KEY.name]: checkName(ref.name) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined && this.#live(Attributes as KeyValueItem);
  }

  /** The plaintext of a secret `pair` read without decrypt (its value is the ciphertext). */
  async reveal(scope: Scope, user: string | undefined, pair: KeyValuePair): Promise<string> {
    return pair.encrypted ? this.#cipher.decrypt(pair.value, cryptoContext({ scope, user, name: pair.name })) : pair.value;
  }

  /** The live keys of one scope (one user's for the user scope), by name. */
  async list(scope: Scope, user: string | undefined, options: ListOptions = {}): Promise<KeyValuePair[]> {
    const items: KeyValueItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    const prefix = options.prefix ?? '';
    do {
      const page: QueryCommandOutput = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: prefix ? '#p = :p AND begins_with(#n, :prefix)' : '#p = :p',
          ExpressionAttributeNames: { '#p': KEY.partition, ...(prefix ? { '#n': KEY.name } : {}) },
          ExpressionAttributeValues: { ':p': partitionOf(scope, user), ...(prefix ? { ':prefix': prefix } : {}) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as KeyValueItem[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return Promise.all(items.filter((item) => this.#live(item)).map((item) => this.#toPair(item, scope, user, options.decrypt === true)));
  }
}
