// A runner that can no longer renew its lease (the store is gone) stops its action before the lease
// ends, so no second runner can ever run it beside this one.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { createRuntime } from '../../src/dispatch/runtime.ts';
import { receive, toEvent } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const substrate = useSubstrate({ env: { ACTIONRUNNER_LEASE_MS: '1500', ACTIONRUNNER_HEARTBEAT_MS: '300', ACTIONRUNNER_KILL_GRACE_MS: '200' } });

const running = (pattern: string) => {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

it('kills its action when the lease cannot be renewed any more', async () => {
  const tag = `lease${randomBytes(4).toString('hex')}`;
  const runtime = createRuntime({ config: substrate.config, clients: substrate.clients });
  const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: `sleep 1000; : ${tag}` } });
  const event = await toEvent(substrate, 'actions', await receive(substrate, 'actions', 1));
  const processing = runtime.processor.process(event, { getRemainingTimeInMillis: () => 120_000, awsRequestId: 'lease' });
  processing.catch(() => undefined);
  await eventually(async () => expect((await runtime.store.get(execution.id))!.status).toBe('running'));

  await substrate.clients.dynamodb.send(new DeleteTableCommand({ TableName: substrate.tableNames.executions }));
  const lost = Date.now();
  await eventually(() => expect(running(tag)).toBe(''), { timeoutMs: 10_000, intervalMs: 100 });
  expect(Date.now() - lost).toBeLessThan(substrate.config.leaseMs + 2_000);
  await expect(processing).rejects.toThrow(/batch failed/);
});
