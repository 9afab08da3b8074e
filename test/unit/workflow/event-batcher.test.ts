import { describe, expect, it } from 'vitest';
import { EventBatcher } from '../../../src/workflow/event-batcher.ts';

/** A step that can be held open, to let events pile up behind it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('EventBatcher', () => {
  it('applies the events that arrived during a step together in the next one, per key', async () => {
    const steps: string[][] = [];
    const first = gate();
    const batcher = new EventBatcher<string>(async (key, events) => {
      steps.push([key, ...events]);
      if (events[0] === 'a1') await first.opened;
      return events.length;
    });
    const done = [batcher.push('A', 'a1'), batcher.push('A', 'a2'), batcher.push('A', 'a3'), batcher.push('B', 'b1')];
    first.open();
    await Promise.all(done);
    expect(steps).toEqual([
      ['A', 'a1'],
      ['B', 'b1'],
      ['A', 'a2', 'a3'],
    ]);
  });

  it('gives the events a step did not consume to the next step, in order', async () => {
    const steps: number[][] = [];
    const first = gate();
    const batcher = new EventBatcher<number>(async (_key, events) => {
      steps.push(events);
      if (events[0] === 0) await first.opened;
      return 2;
    });
    const done = [0, 1, 2, 3, 4, 5].map((n) => batcher.push('A', n));
    first.open();
    await Promise.all(done);
    expect(steps).toEqual([[0], [1, 2, 3, 4, 5], [3, 4, 5], [5]]);
  });

  it('fails every event of a step that fails, and goes on with the next step', async () => {
    const first = gate();
    let calls = 0;
    const batcher = new EventBatcher<string>(async (_key, events) => {
      calls++;
      if (events[0] === 'hold') await first.opened;
      if (events.includes('bad')) throw new Error('workflow busy');
      return events.length;
    });
    const held = batcher.push('A', 'hold');
    const failed = Promise.allSettled([batcher.push('A', 'good'), batcher.push('A', 'bad')]);
    first.open();
    await held;
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await batcher.push('A', 'later');
    expect(calls).toBe(3);
  });
});
