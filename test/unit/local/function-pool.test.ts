import { describe, expect, it } from 'vitest';
import type { Context, SQSEvent } from 'aws-lambda';
import { FunctionPool, type LoadedFunction } from '../../../src/local/function-pool.ts';
import { createLogger } from '../../../src/log/index.ts';

const log = createLogger({}, 'error');
const event = (id: string): SQSEvent => ({ Records: [{ messageId: id } as SQSEvent['Records'][number]] });
const context = {} as Context;

/** A loader whose cold starts finish when the test says, and containers that record which events they ran and end when told. */
function containers() {
  const loads: Array<{ container: number; done: (loaded: LoadedFunction) => void; fail: (error: Error) => void }> = [];
  const ran: string[] = [];
  const finish = new Map<string, () => void>();
  const loaded = (container: number): LoadedFunction => ({
    handler: (e) =>
      new Promise((resolve) => {
        const id = e.Records[0]!.messageId;
        ran.push(`${id}@${container}`);
        finish.set(id, () => resolve({ batchItemFailures: [] }));
      }),
  });
  const load = (container: number) => new Promise<LoadedFunction>((done, fail) => loads.push({ container, done, fail }));
  return { load, loads, ran, finish, loaded };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('FunctionPool', () => {
  it('runs a batch on a warm container freed while its own cold start is still under way, and keeps that container for later', async () => {
    const c = containers();
    const pool = new FunctionPool('actions', c.load, log);
    const first = pool.handler(event('a'), context);
    await settled();
    c.loads[0]!.done(c.loaded(1));
    await settled();
    expect(c.ran).toEqual(['a@1']);
    // Container 1 is busy: b cold-starts container 2, which takes long.
    const second = pool.handler(event('b'), context);
    await settled();
    expect(c.loads.map((l) => l.container)).toEqual([1, 2]);
    c.finish.get('a')!();
    await first;
    await settled();
    expect(c.ran).toEqual(['a@1', 'b@1']);
    // Container 2 arrives late and idles: the next batch runs there without a cold start.
    c.loads[1]!.done(c.loaded(2));
    await settled();
    const third = pool.handler(event('c'), context);
    await settled();
    expect(c.ran).toEqual(['a@1', 'b@1', 'c@2']);
    expect(pool.containers).toBe(2);
    c.finish.get('b')!();
    c.finish.get('c')!();
    await Promise.all([second, third]);
  });

  it('cold-starts one container at a time, and the next only for an invocation still waiting when the last is ready', async () => {
    const c = containers();
    const pool = new FunctionPool('actions', c.load, log);
    const runs = ['a', 'b', 'c'].map((id) => pool.handler(event(id), context));
    await settled();
    // Three invocations wait; one cold start (they load one after another in this one process anyway).
    expect(c.loads).toHaveLength(1);
    c.loads[0]!.done(c.loaded(1));
    await settled();
    expect(c.ran).toEqual(['a@1']);
    // b and c still wait: the next cold start begins now.
    expect(c.loads).toHaveLength(2);
    c.finish.get('a')!();
    await settled();
    expect(c.ran).toEqual(['a@1', 'b@1']);
    c.loads[1]!.done(c.loaded(2));
    await settled();
    // c runs on container 2; nobody waits any more: no third cold start (it would only cost this process's CPU).
    expect(c.ran).toEqual(['a@1', 'b@1', 'c@2']);
    expect(c.loads).toHaveLength(2);
    c.finish.get('b')!();
    c.finish.get('c')!();
    await Promise.all(runs);
    // Both warm: two more batches at once start nothing.
    const more = ['d', 'e'].map((id) => pool.handler(event(id), context));
    await settled();
    expect(c.loads).toHaveLength(2);
    expect(
      c.ran
        .slice(3)
        .map((run) => run.split('@')[1])
        .sort(),
    ).toEqual(['1', '2']);
    c.finish.get('d')!();
    c.finish.get('e')!();
    await Promise.all(more);
    expect(pool.containers).toBe(2);
  });

  it('warms up containers one after another before any invocation; the first batches then start no cold start', async () => {
    const c = containers();
    const pool = new FunctionPool('actions', c.load, log);
    const warming = pool.prewarm(2);
    await settled();
    expect(c.loads).toHaveLength(1);
    c.loads[0]!.done(c.loaded(1));
    await settled();
    expect(c.loads).toHaveLength(2);
    c.loads[1]!.done(c.loaded(2));
    await warming;
    const runs = ['a', 'b'].map((id) => pool.handler(event(id), context));
    await settled();
    expect(c.loads).toHaveLength(2);
    expect(c.ran.map((run) => run.split('@')[1]).sort()).toEqual(['1', '2']);
    c.finish.get('a')!();
    c.finish.get('b')!();
    await Promise.all(runs);
    expect(pool.containers).toBe(2);
  });

  it('a warm-up whose cold start fails ends quietly: the first invocation cold-starts and reports what fails', async () => {
    const c = containers();
    const pool = new FunctionPool('actions', c.load, log);
    const warming = pool.prewarm(3);
    await settled();
    c.loads[0]!.fail(new Error('bad module'));
    await warming;
    expect(c.loads).toHaveLength(1);
    const run = pool.handler(event('a'), context);
    await settled();
    c.loads[1]!.fail(new Error('bad module'));
    await expect(run).rejects.toThrow('bad module');
  });

  it('fails a waiting invocation with the error of a cold start that failed', async () => {
    const c = containers();
    const pool = new FunctionPool('actions', c.load, log);
    const run = pool.handler(event('a'), context);
    await settled();
    c.loads[0]!.fail(new Error('bad module'));
    await expect(run).rejects.toThrow('bad module');
  });

  it('after a failed cold start, the invocations still waiting get a cold start of their own', async () => {
    const c = containers();
    const pool = new FunctionPool('actions', c.load, log);
    const [first, second] = ['a', 'b'].map((id) => pool.handler(event(id), context));
    await settled();
    c.loads[0]!.fail(new Error('bad module'));
    await expect(first).rejects.toThrow('bad module');
    await settled();
    expect(c.loads).toHaveLength(2);
    c.loads[1]!.done(c.loaded(2));
    await settled();
    expect(c.ran).toEqual(['b@2']);
    c.finish.get('b')!();
    await second;
  });
});
