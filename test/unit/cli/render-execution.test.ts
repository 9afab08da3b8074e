import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { renderExecution } from '../../../src/cli/render-execution.ts';
import { execution } from '../../helpers/factories.ts';

const c = pc.createColors(false);

describe('renderExecution and policies', () => {
  it('says which execution a retry retries, which retry it is and by which policy', () => {
    const text = renderExecution(
      execution({ status: 'failed', context: { policies: { retry: { applied_policy: 'ops.deploy.retry', retry_count: 2, retried_liveaction_id: 'A1' } } } }),
      c,
    );
    expect(text).toContain('retry of: A1 (retry 2 by policy ops.deploy.retry)');
  });

  it('says why a delayed execution waits', () => {
    const reason = 'delayed by policy ops.two (action.concurrency): threshold 2 reached - 2 of ops.deploy already running';
    const delayed = execution({ status: 'delayed' });
    delayed.log.push({ status: 'delayed', timestamp: new Date().toISOString(), reason });
    expect(renderExecution(delayed, c)).toContain(`waiting: ${reason}`);
    expect(renderExecution(execution(), c)).not.toContain('waiting:');
  });
});
