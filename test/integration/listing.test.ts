// Listing without a hot partition: executions spread over the byTime index's eight shards, and a
// listing merges them newest first, pages, filters and bounds exactly as one partition would.
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExecutionStore, newExecutionId } from '../../src/store/executions.ts';
import { LIST_SHARDS } from '../../src/store/keys.ts';
import { useSubstrate } from '../helpers/substrate.ts';

const substrate = useSubstrate();
let store: ExecutionStore;
const ids: string[] = [];
const T0 = Date.parse('2026-11-01T00:00:00Z');

beforeAll(async () => {
  store = new ExecutionStore({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions });
  // 60 executions a minute apart: every third a task of the first, every fifth a core.echo.
  for (let i = 0; i < 60; i++) {
    const id = newExecutionId(T0 + i * 60_000);
    ids.push(id);
    await store.create({
      id,
      action: i % 5 === 0 ? 'core.echo' : 'core.local',
      runner: 'local-shell-cmd',
      parameters: { cmd: `echo ${i}`, big: 'x'.repeat(1000) },
      secretParameters: [],
      ...(i % 3 === 0 && i > 0 ? { context: { parent: ids[0] } } : {}),
    });
  }
}, 60_000);

const newestFirst = () => [...ids].reverse();

describe('execution listing over the byTime shards', () => {
  it('spreads executions over the shards', async () => {
    const shards = new Set<string>();
    for (const id of ids) {
      const { Item } = await substrate.clients.doc.send(new GetCommand({ TableName: substrate.tableNames.executions, Key: { id } }));
      shards.add(String(Item!.listKey));
    }
    expect(shards.size).toBeGreaterThanOrEqual(LIST_SHARDS - 2);
    for (const shard of shards) expect(shard).toMatch(/^execution#[0-7]$/);
  });

  it('lists newest first across shards, and pages with before without repeating or skipping one', async () => {
    const first = await store.list({ limit: 25 });
    expect(first.map((e) => e.id)).toEqual(newestFirst().slice(0, 25));
    const second = await store.list({ limit: 25, before: first.at(-1)!.id });
    const third = await store.list({ limit: 25, before: second.at(-1)!.id });
    expect([...first, ...second, ...third].map((e) => e.id)).toEqual(newestFirst());
  });

  it('filters by action and top level, and bounds by time, in order', async () => {
    const echoes = await store.list({ action: 'core.echo', limit: 100 });
    expect(echoes.map((e) => e.id)).toEqual(newestFirst().filter((_, i, all) => (all.length - 1 - i) % 5 === 0));
    const topLevel = await store.list({ topLevel: true, limit: 100 });
    expect(topLevel.map((e) => e.id)).toEqual(newestFirst().filter((_, i, all) => !((all.length - 1 - i) % 3 === 0 && all.length - 1 - i > 0)));
    const window = await store.list({ since: T0 + 10 * 60_000, until: T0 + 19 * 60_000 + 59_999, limit: 100 });
    expect(window.map((e) => e.id)).toEqual(ids.slice(10, 20).reverse());
  });

  it("a workflow's children come oldest first through byParent, with their results", async () => {
    const children = await store.list({ parent: ids[0], limit: 100 });
    expect(children.map((e) => e.id)).toEqual(ids.filter((_, i) => i % 3 === 0 && i > 0));
    expect(children[0]).toHaveProperty('action', 'core.local');
  });

  it('copies only what a listing shows into the index: no parameters, status log or lease', async () => {
    const [listed] = await store.list({ limit: 1 });
    expect(Object.keys(listed).sort()).toEqual(['action', 'context', 'id', 'runner', 'start_timestamp', 'status']);
    const { Items = [] } = await substrate.clients.doc.send(
      new QueryCommand({
        TableName: substrate.tableNames.executions,
        IndexName: 'byTime',
        KeyConditionExpression: 'listKey = :k',
        ExpressionAttributeValues: { ':k': 'execution#0' },
        Limit: 5,
      }),
    );
    expect(Items.length).toBeGreaterThan(0);
    for (const item of Items) for (const attribute of ['parameters', 'log', 'lease', 'expires_at', 'attempt']) expect(item).not.toHaveProperty(attribute);
  });
});
