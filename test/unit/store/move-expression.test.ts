import { describe, expect, it } from 'vitest';
import { moveExpression } from '../../../src/store/move-expression.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');

describe('moveExpression: one conditional write per status move', () => {
  it('writes the status and a log entry only from the given statuses', () => {
    const move = moveExpression(['running', 'scheduled'], 'succeeded', { reason: 'done', set: { result: { rc: 0 }, lease: null, error: undefined } }, NOW);
    expect(move.ConditionExpression).toBe('attribute_exists(id) AND #status IN (:from0, :from1)');
    expect(move.ExpressionAttributeValues).toMatchObject({ ':from0': 'running', ':from1': 'scheduled', ':status': 'succeeded', ':result': { rc: 0 } });
    expect(move.ExpressionAttributeValues![':entry']).toEqual([{ status: 'succeeded', timestamp: '2026-12-01T00:00:00.000Z', reason: 'done' }]);
    // Terminal: stamped, lease and the open and waiting index keys removed; `undefined` fields left alone.
    expect(move.UpdateExpression).toContain('#end_timestamp = :end_timestamp');
    expect(move.UpdateExpression).toMatch(/ REMOVE #lease, #open, #waiting_for$/);
    expect(move.ExpressionAttributeNames).not.toHaveProperty('#error');
  });

  it('keeps an open execution in the byOpen index', () => {
    const move = moveExpression(['scheduled'], 'running', {}, NOW);
    expect(move.UpdateExpression).not.toContain('REMOVE');
    expect(move.UpdateExpression).not.toContain('end_timestamp');
  });

  it('adds the lease conditions when asked: held by an owner, or by no live lease', () => {
    expect(moveExpression(['running'], 'abandoned', { leaseOwner: 'r1' }, NOW).ConditionExpression).toContain('#lease.#owner = :owner');
    const unleased = moveExpression(['requested'], 'running', { unleased: true, increment: ['attempt'] }, NOW);
    expect(unleased.ConditionExpression).toContain('(attribute_not_exists(#lease) OR #lease.#expiresAt < :now)');
    expect(unleased.ExpressionAttributeValues![':now']).toBe(NOW);
    expect(unleased.UpdateExpression).toContain('#attempt = #attempt + :one');
  });

  it('a claim on arrival also holds only for the named action and runner, due by the given time', () => {
    const claim = moveExpression(
      ['requested'],
      'running',
      { unleased: true, only: { action: 'core.local', runner: 'local-shell-cmd', dueBy: NOW + 500 } },
      NOW,
    );
    expect(claim.ConditionExpression).toContain(
      '#action = :onlyAction AND #runner = :onlyRunner AND (attribute_not_exists(#context.#notBefore) OR #context.#notBefore <= :dueBy)',
    );
    expect(claim.ExpressionAttributeValues).toMatchObject({ ':onlyAction': 'core.local', ':onlyRunner': 'local-shell-cmd', ':dueBy': NOW + 500 });
    expect(claim.ExpressionAttributeNames).toMatchObject({ '#action': 'action', '#runner': 'runner', '#context': 'context', '#notBefore': 'notBefore' });
  });
});
