import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';

/** The partition every key lives in (the table is small: a Query lists them, never a Scan). */
const PARTITION = 'apikey';
/** 32 random bytes: a key cannot be guessed, so one SHA-256 (no slow KDF) is enough to store it. */
const SECRET_BYTES = 32;
const KEY_PATTERN = /^([0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})$/;

/** An API key as `apikey list` and the API show it: never the key, never its hash. */
export interface ApiKeyView {
  id: string;
  /** Who the key acts as: an execution's `context.user`, the owner of `user`-scoped datastore keys. */
  user: string;
  /** May read secrets of the datastore in plaintext (`?decrypt=true`). */
  allow_decrypt: boolean;
  description?: string;
  created_at: string;
}

interface ApiKeyItem extends ApiKeyView {
  partition: string;
  key_hash: string;
}

export interface ApiKeyStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** @default Date.now */
  now?: () => number;
}

export interface NewApiKey {
  user: string;
  /** @default false */
  allowDecrypt?: boolean;
  description?: string;
}

const hashOf = (key: string) => createHash('sha256').update(key).digest();

function view(item: ApiKeyItem): ApiKeyView {
  return {
    id: item.id,
    user: item.user,
    allow_decrypt: Boolean(item.allow_decrypt),
    ...(item.description ? { description: item.description } : {}),
    created_at: item.created_at,
  };
}

/**
 * st2's API keys on DynamoDB: a key is `<id>.<secret>` (id a ULID, secret 32 random bytes, base64url), shown
 * once when created; the table keeps only its SHA-256. Checking a key is one GetItem by its id.
 * @example const { key } = await keys.create({ user: 'ann' }); (await keys.authenticate(key))?.user // 'ann'
 */
export class ApiKeyStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(options: ApiKeyStoreOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#now = options.now ?? Date.now;
  }

  /** A new key: the only time its plaintext exists outside the caller. */
  async create(input: NewApiKey): Promise<{ key: string; apiKey: ApiKeyView }> {
    const id = ulid(this.#now());
    const key = `${id}.${randomBytes(SECRET_BYTES).toString('base64url')}`;
    const item: ApiKeyItem = {
      partition: PARTITION,
      id,
      user: input.user,
      allow_decrypt: input.allowDecrypt ?? false,
      ...(input.description ? { description: input.description } : {}),
      created_at: new Date(this.#now()).toISOString(),
      key_hash: hashOf(key).toString('hex'),
    };
    await this.#doc.send(new PutCommand({ TableName: this.#table, Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
    return { key, apiKey: view(item) };
  }

  /** Every key, oldest first. */
  async list(): Promise<ApiKeyView[]> {
    const items: ApiKeyItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: '#p = :p',
          ExpressionAttributeNames: { '#p': 'partition' },
          ExpressionAttributeValues: { ':p': PARTITION },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((page.Items ?? []) as ApiKeyItem[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.map(view);
  }

  /** Deletes a key by id; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const out = await this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: { partition: PARTITION, id }, ReturnValues: 'ALL_OLD' }));
    return out.Attributes !== undefined;
  }

  /** The key's record when `key` is one of ours (constant-time comparison of the hashes), else undefined. */
  async authenticate(key: string): Promise<ApiKeyView | undefined> {
    const match = KEY_PATTERN.exec(key);
    if (!match) return undefined;
    const out = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: { partition: PARTITION, id: match[1] } }));
    const item = out.Item as ApiKeyItem | undefined;
    if (!item) return undefined;
    const stored = Buffer.from(item.key_hash, 'hex');
    const given = hashOf(key);
    return stored.length === given.length && timingSafeEqual(stored, given) ? view(item) : undefined;
  }
}
