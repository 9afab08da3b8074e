import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { backoffMs, sleep } from '../shared/timers.ts';
import { keyFor } from '../store/keys.ts';
import { checkSlotArguments, shuffled, type AcquireOptions, type SlotPool } from './slots.ts';

export interface DynamoSlotPoolOptions {
  doc: DynamoDBDocumentClient;
  /** The executions table: slots are small items beside the executions (`id` = `slot#<pool>#<n>`), in no index. */
  tableName: string;
  /** @default Date.now */
  now?: () => number;
}

/** One slot as stored: who holds it until when (epoch ms); a slot never taken has no item. */
interface SlotItem {
  id: string;
  holder?: string;
  slot_expires_at?: number;
  /** Work waited for the pool while this holder had the slot: its release is counted on the pool item. */
  slot_watched?: boolean;
}

/** Slots tried without reading the pool first. */
const BLIND_TRIES = 2;
/** How long a read of the pool guides the blind tries. */
const SNAPSHOT_MS = 1000;

/** BatchGetItem's largest request. */
const BATCH_GET_KEYS = 100;

/** The request in flight under `key`, else a new one from `start`: the callers meanwhile share it. */
function shared<T>(inFlight: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  let running = inFlight.get(key);
  if (!running) {
    running = start().finally(() => inFlight.delete(key));
    inFlight.set(key, running);
  }
  return running;
}

/**
 * `SlotPool` on DynamoDB: one item per slot (`slot#<pool>#0` .. `slot#<pool>#<limit-1>`) and one
 * per pool (`slot#<pool>`: the highest limit it was used with, so that `renew`, `release` and
 * `running` know which slots to read, and `slot_releases`, counted up by the release of a watched
 * slot, what `releases` reads: one item instead of all the slots for waiters that look for a free one).
 * A slot is watched (`slot_watched` on its item) when work waited for the pool while it was held: `watch`
 * marks the held ones, an acquirer that knows of waiting work takes its slot marked, and taking a slot
 * clears an old mark. A release learns from its own write (the item as it was) whether to count itself, so
 * an action that never meets a full pool pays two writes: take and free. `acquire` reads the pool's slots (one consistent
 * BatchGetItem), refuses when `limit` holders are live, else takes a free slot chosen at random
 * with a conditional write (holder absent or lease expired), trying the next free one when
 * another acquirer won it. No lock, no counter that a crash could leave wrong: a slot whose holder
 * died frees itself when its lease ends.
 * @example const slots = new DynamoSlotPool({ doc, tableName: config.executionsTable });
 */
export class DynamoSlotPool implements SlotPool {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;
  /** Where this process last saw each holder (`pool` -> holder -> slot): renew and release write at once. */
  readonly #seen = new Map<string, Map<string, number>>();
  /** Slots this process freed last, per pool (newest last): tried first by the next acquire. */
  readonly #freed = new Map<string, number[]>();
  /** A read of a pool's slots in flight, shared by the acquirers of this process that need one meanwhile. */
  readonly #reading = new Map<string, Promise<Array<{ index: number; item?: SlotItem }>>>();
  /** The last read of each pool's slots: which ones to try blind first. */
  readonly #lastRead = new Map<string, { at: number; slots: Array<{ index: number; item?: SlotItem }> }>();
  /** Highest limit each pool is known to have been used with (written on its pool item). */
  readonly #sizes = new Map<string, number>();
  /** A write of a pool's size in flight (`pool#limit`), shared by the acquirers that need it meanwhile. */
  readonly #recording = new Map<string, Promise<void>>();

  constructor(options: DynamoSlotPoolOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#now = options.now ?? Date.now;
  }

  async acquire(pool: string, limit: number, holder: string, leaseMs: number, options: AcquireOptions = {}): Promise<boolean> {
    checkSlotArguments({ pool, holder, limit, leaseMs });
    const watched = options.watched === true;
    await this.#recordSize(pool, limit);
    const size = Math.max(limit, this.#sizes.get(pool) ?? 0);
    const seen = this.#seen.get(pool)?.get(holder);
    if (seen !== undefined && (await this.#renewAt(pool, seen, holder, leaseMs))) return true;
    // A slot this process freed a moment ago is most likely still free: one write, no read. (Not while
    // slots past `limit` may have holders: those are only seen by reading.)
    const hints = this.#freed.get(pool) ?? [];
    for (let hint = hints.pop(); hint !== undefined && size <= limit; hint = hints.pop()) {
      if (hint < limit && (await this.#take(pool, hint, holder, leaseMs, watched))) return true;
    }
    // Then a couple of slots the last read showed free (any, before a first read), blind: while the pool
    // is far from full that is one write, and reading all its slots is what costs (one item each).
    if (size <= limit) {
      for (const index of this.#guesses(pool, limit, BLIND_TRIES)) {
        if (await this.#take(pool, index, holder, leaseMs, watched)) return true;
      }
    }
    const slots = await this.#read(pool, size);
    const now = this.#now();
    const live = slots.filter((s) => s.item?.holder !== undefined && (s.item.slot_expires_at ?? 0) > now);
    const mine = live.find((s) => s.item?.holder === holder);
    if (mine) return this.#renewAt(pool, mine.index, holder, leaseMs);
    if (live.length >= limit) return false;
    // Slots past `limit` (the pool was larger once) are never taken, only counted while their holders live.
    const free = shuffled(slots.filter((s) => s.index < limit && !live.includes(s)));
    for (const { index } of free) {
      if (await this.#take(pool, index, holder, leaseMs, watched)) return true;
    }
    return false;
  }

  async renew(pool: string, holder: string, leaseMs: number): Promise<boolean> {
    checkSlotArguments({ pool, holder, leaseMs });
    const seen = this.#seen.get(pool)?.get(holder);
    if (seen !== undefined && (await this.#renewAt(pool, seen, holder, leaseMs))) return true;
    // Not where this process saw it (or never seen here): look it up.
    const index = await this.#find(pool, holder);
    return index !== undefined && this.#renewAt(pool, index, holder, leaseMs);
  }

  async release(pool: string, holder: string): Promise<boolean> {
    checkSlotArguments({ pool, holder });
    const seen = this.#seen.get(pool)?.get(holder);
    this.#seen.get(pool)?.delete(holder);
    const freed = seen !== undefined ? await this.#free(pool, seen, holder) : undefined;
    if (freed !== undefined) return freed === 'watched';
    const index = await this.#find(pool, holder);
    return index !== undefined && (await this.#free(pool, index, holder)) === 'watched';
  }

  /** Frees slot `index` when `holder` has it: whether work waited for it (`watched`); undefined when `holder` does not have it. */
  async #free(pool: string, index: number, holder: string): Promise<'watched' | 'unwatched' | undefined> {
    const was = await this.#writeSlot(pool, index, {
      UpdateExpression: 'REMOVE holder, slot_expires_at, slot_watched',
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': holder },
      // The item as it was: whether work waits for this release (no read for it).
      ReturnValues: 'ALL_OLD',
    });
    if (!was) return undefined;
    const watched = (was as Partial<SlotItem>).slot_watched === true;
    const freed = this.#freed.get(pool) ?? [];
    // A few hints are enough (one per action ending here): keep the newest.
    freed.push(index);
    this.#freed.set(pool, freed.slice(-16));
    // Tells the waiters of other containers that a look may find a slot now (nobody waited: no write). The slot
    // is free already, so this is no error of the release: missing it only delays them until their next look.
    if (!watched) return 'unwatched';
    await this.#doc
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keyFor.slotPool(pool),
          UpdateExpression: 'ADD slot_releases :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      )
      .catch(() => undefined);
    return 'watched';
  }

  async releases(pool: string): Promise<number> {
    checkSlotArguments({ pool, holder: '-' });
    const [item] = await this.#batchGet([keyFor.slotPool(pool)]);
    return Number((item as { slot_releases?: number } | undefined)?.slot_releases ?? 0);
  }

  async running(pool: string): Promise<number> {
    checkSlotArguments({ pool, holder: '-' });
    const now = this.#now();
    const slots = await this.#read(pool, await this.#size(pool));
    return slots.filter((s) => s.item?.holder !== undefined && (s.item.slot_expires_at ?? 0) > now).length;
  }

  async watch(pool: string): Promise<boolean> {
    checkSlotArguments({ pool, holder: '-' });
    const last = this.#lastRead.get(pool);
    const slots = last && this.#now() - last.at < SNAPSHOT_MS ? last.slots : await this.#read(pool, await this.#size(pool));
    const now = this.#now();
    const unmarked = slots.filter((s) => s.item?.holder !== undefined && (s.item.slot_expires_at ?? 0) > now && s.item.slot_watched !== true);
    const marked = await Promise.all(
      unmarked.map(async ({ index, item }) => {
        const done = await this.#mark(pool, index, item!.holder!);
        // The snapshot says so too: the next watch before a fresh read marks it no second time.
        if (done) item!.slot_watched = true;
        return done;
      }),
    );
    // A slot freed (or taken by another) since that look: its release may have gone uncounted.
    return marked.includes(false);
  }

  /** Marks slot `index` watched while `holder` has it; false when it does not any more. */
  async #mark(pool: string, index: number, holder: string): Promise<boolean> {
    const done = await this.#writeSlot(pool, index, {
      UpdateExpression: 'SET slot_watched = :watched',
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': holder, ':watched': true },
    });
    return done !== undefined;
  }

  /** One conditional write to slot `index` of `pool`: the item as `ReturnValues` asks (`{}` for none), undefined when its condition failed. */
  async #writeSlot(pool: string, index: number, update: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<Record<string, unknown> | undefined> {
    try {
      const { Attributes } = await this.#doc.send(new UpdateCommand({ TableName: this.#table, Key: keyFor.slot(pool, index), ...update }));
      return Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Takes slot `index` when it is free (never taken, released, or its lease ended); false when another holder has it. */
  async #take(pool: string, index: number, holder: string, leaseMs: number, watched: boolean): Promise<boolean> {
    const now = this.#now();
    const taken = await this.#writeSlot(pool, index, {
      // A mark left by an earlier holder (whose lease ran out) is not this holder's.
      UpdateExpression: `SET holder = :holder, slot_expires_at = :expires, slot_pool = :pool${watched ? ', slot_watched = :watched' : ' REMOVE slot_watched'}`,
      ConditionExpression: 'attribute_not_exists(holder) OR slot_expires_at <= :now',
      ExpressionAttributeValues: { ':holder': holder, ':expires': now + leaseMs, ':now': now, ':pool': pool, ...(watched ? { ':watched': true } : {}) },
    });
    if (!taken) return false;
    this.#remember(pool, holder, index);
    return true;
  }

  /** Extends the lease of `holder` on slot `index`; false when someone else has that slot now. */
  async #renewAt(pool: string, index: number, holder: string, leaseMs: number): Promise<boolean> {
    const renewed = await this.#writeSlot(pool, index, {
      UpdateExpression: 'SET slot_expires_at = :expires',
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': holder, ':expires': this.#now() + leaseMs },
    });
    if (!renewed) {
      this.#seen.get(pool)?.delete(holder);
      return false;
    }
    this.#remember(pool, holder, index);
    return true;
  }

  /** Up to `count` slot indices below `limit` that the last read of `pool` showed free (or any, before a read), at random. */
  #guesses(pool: string, limit: number, count: number): number[] {
    const last = this.#lastRead.get(pool);
    const now = this.#now();
    const fresh = last && now - last.at < SNAPSHOT_MS ? last.slots : undefined;
    const free = Array.from({ length: limit }, (_, index) => index).filter((index) => {
      const item = fresh?.[index]?.item;
      return !item?.holder || (item.slot_expires_at ?? 0) <= now;
    });
    return shuffled(free).slice(0, count);
  }

  /** The slot `holder` has in `pool`, read from the table. */
  async #find(pool: string, holder: string): Promise<number | undefined> {
    const slots = await this.#read(pool, await this.#size(pool));
    return slots.find((s) => s.item?.holder === holder)?.index;
  }

  #remember(pool: string, holder: string, index: number): void {
    const holders = this.#seen.get(pool) ?? new Map<string, number>();
    holders.set(holder, index);
    this.#seen.set(pool, holders);
  }

  /**
   * The pool item says how many slots to read; raised (never lowered) when `limit` is higher. Once per
   * pool and limit in this process: the acquirers of a container's first batch, all at once, share one write.
   */
  #recordSize(pool: string, limit: number): Promise<void> {
    if ((this.#sizes.get(pool) ?? 0) >= limit) return Promise.resolve();
    return shared(this.#recording, `${pool}#${limit}`, () => this.#recordSizeNow(pool, limit));
  }

  async #recordSizeNow(pool: string, limit: number): Promise<void> {
    try {
      const { Attributes } = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keyFor.slotPool(pool),
          UpdateExpression: 'SET slot_pool_size = :limit',
          ConditionExpression: 'attribute_not_exists(slot_pool_size) OR slot_pool_size < :limit',
          ExpressionAttributeValues: { ':limit': limit },
          ReturnValues: 'ALL_NEW',
        }),
      );
      this.#sizes.set(pool, Number(Attributes?.slot_pool_size ?? limit));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await this.#size(pool, true);
    }
  }

  async #size(pool: string, fresh = false): Promise<number> {
    const known = this.#sizes.get(pool);
    if (known !== undefined && !fresh) return known;
    const [item] = await this.#batchGet([keyFor.slotPool(pool)]);
    const size = Number((item as { slot_pool_size?: number } | undefined)?.slot_pool_size ?? 0);
    this.#sizes.set(pool, Math.max(size, known ?? 0));
    return size;
  }

  /**
   * Slots 0..size-1 of `pool` as stored now (consistent reads). Acquirers of this process that ask
   * while a read is in flight share it (a batch finding the pool full reads it once, not once a record):
   * a slot it shows free may be taken since, which the conditional write finds out.
   */
  #read(pool: string, size: number): Promise<Array<{ index: number; item?: SlotItem }>> {
    return shared(this.#reading, `${pool}#${size}`, () => this.#readNow(pool, size));
  }

  async #readNow(pool: string, size: number): Promise<Array<{ index: number; item?: SlotItem }>> {
    const keys = Array.from({ length: size }, (_, index) => keyFor.slot(pool, index));
    const items = new Map((await this.#batchGet(keys)).map((item) => [item.id, item as SlotItem]));
    const slots = keys.map((key, index) => ({ index, item: items.get(key.id) }));
    this.#lastRead.set(pool, { at: this.#now(), slots });
    return slots;
  }

  async #batchGet(keys: Array<{ id: string }>): Promise<Array<Record<string, unknown> & { id: string }>> {
    const found: Array<Record<string, unknown> & { id: string }> = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
      let pending: Array<Record<string, unknown>> = keys.slice(start, start + BATCH_GET_KEYS);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffMs(attempt, 20, 1000));
        const { Responses, UnprocessedKeys } = await this.#doc.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...((Responses?.[this.#table] ?? []) as Array<Record<string, unknown> & { id: string }>));
        pending = UnprocessedKeys?.[this.#table]?.Keys ?? [];
      }
    }
    return found;
  }
}
