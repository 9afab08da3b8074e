import { describe, expect, it, vi } from 'vitest';
import { Waitlist, WOKEN_ATTRIBUTE } from '../../../src/dispatch/waitlist.ts';
import { createLogger } from '../../../src/log/index.ts';
import type { Execution } from '../../../src/model/execution.ts';

const log = createLogger({}, 'error');

/** A waitlist in memory behind the store's three calls; `status` says what each entry is when taken off. */
function fakeStore(ids: string[], status: Record<string, Execution['status']> = {}) {
  const list = [...ids];
  const store = {
    heads: 0,
    waitlistHead: vi.fn(async (_pool: string, limit: number) => {
      store.heads += 1;
      return list.slice(0, limit);
    }),
    leaveWaitlist: vi.fn(async (id: string) => {
      const index = list.indexOf(id);
      if (index < 0) return undefined;
      list.splice(index, 1);
      return { id, action: 'core.local', status: status[id] ?? 'delayed' } as Execution;
    }),
    joinWaitlist: vi.fn(async (id: string) => {
      list.push(id);
      list.sort();
      return true;
    }),
    list,
  };
  return store;
}

function waitlistWith(store: ReturnType<typeof fakeStore>) {
  const sent: Array<{ id: string; delay: number; attributes: Record<string, string> }> = [];
  const queue = {
    send: vi.fn(async (_kind: string, message: object, delay = 0, attributes: Record<string, string> = {}) => {
      sent.push({ id: (message as { executionId: string }).executionId, delay, attributes });
    }),
  };
  return { waitlist: new Waitlist({ store, queue, log, pool: 'actions' }), sent };
}

describe('Waitlist', () => {
  it('wakes one waiting action per freed slot, oldest first, reading the head of the list once for slots freed together', async () => {
    const store = fakeStore(['a', 'b', 'c', 'd']);
    const { waitlist, sent } = waitlistWith(store);
    waitlist.wake(true);
    waitlist.wake(true);
    waitlist.wake(true);
    await waitlist.settled();
    expect(sent.map((s) => s.id).sort()).toEqual(['a', 'b', 'c']);
    expect(sent[0]).toEqual({ id: expect.any(String), delay: 0, attributes: { action: 'core.local', [WOKEN_ATTRIBUTE]: 'actions' } });
    expect(store.list).toEqual(['d']);
    // The first wake read the head alone; the two freed while it ran share the next read.
    expect(store.heads).toBe(2);
  });

  it('skips entries that stopped waiting (the index lags the table) and wakes the next one instead', async () => {
    const store = fakeStore(['ended', 'a', 'b'], { ended: 'canceled' });
    const { waitlist, sent } = waitlistWith(store);
    waitlist.wake(true);
    await waitlist.settled();
    expect(sent.map((s) => s.id)).toEqual(['a']);
    expect(store.list).toEqual(['b']);
  });

  it('asks only for a watched slot, or while work of its container waited lately', async () => {
    const store = fakeStore(['a', 'b']);
    const { waitlist, sent } = waitlistWith(store);
    waitlist.wake(false);
    await waitlist.settled();
    expect(store.heads).toBe(0);
    expect(waitlist.busy).toBe(false);
    waitlist.sawWaiting();
    expect(waitlist.busy).toBe(true);
    waitlist.wake(false);
    await waitlist.settled();
    expect(sent.map((s) => s.id)).toEqual(['a']);
  });

  it('does not ask again for a moment after it found the list empty for a slot nobody watched, unless work of its container waited since', async () => {
    const store = fakeStore([]);
    const { waitlist, sent } = waitlistWith(store);
    waitlist.sawWaiting();
    waitlist.wake(false);
    await waitlist.settled();
    waitlist.wake(false);
    await waitlist.settled();
    expect(store.heads).toBe(1);
    store.list.push('late');
    waitlist.sawWaiting();
    waitlist.wake(false);
    await waitlist.settled();
    expect(sent.map((s) => s.id)).toEqual(['late']);
  });

  it('puts an action it took off the list back on it when its message could not be sent', async () => {
    const store = fakeStore(['a', 'b']);
    const { waitlist } = waitlistWith(store);
    const send = vi.fn().mockRejectedValue(new Error('throttled'));
    const failing = new Waitlist({ store, queue: { send }, log, pool: 'actions' });
    failing.wake(true);
    await failing.settled();
    expect(send).toHaveBeenCalledTimes(1);
    expect(store.list).toEqual(['a', 'b']);
    // The next freed slot asks again only after a pause: a store that fails is not asked at every free.
    failing.wake(true);
    await failing.settled();
    expect(store.heads).toBe(1);
    waitlist.wake(true);
    await waitlist.settled();
    expect(store.list).toEqual(['b']);
  });

  it('wakes for a watched slot even just after it found the list empty', async () => {
    const store = fakeStore([]);
    const { waitlist, sent } = waitlistWith(store);
    waitlist.wake(true);
    await waitlist.settled();
    store.list.push('joined-elsewhere');
    waitlist.wake(true);
    await waitlist.settled();
    expect(sent.map((s) => s.id)).toEqual(['joined-elsewhere']);
  });

  it('logs a failed wake and leaves the action to the message of its wait', async () => {
    const store = fakeStore(['a']);
    store.waitlistHead.mockRejectedValueOnce(new Error('throttled'));
    const warn = vi.spyOn(log, 'warn');
    const { waitlist, sent } = waitlistWith(store);
    waitlist.wake(true);
    await waitlist.settled();
    expect(sent).toEqual([]);
    expect(warn).toHaveBeenCalledWith('could not wake a waiting action: it comes back when its message does', expect.objectContaining({ pool: 'actions' }));
  });
});
