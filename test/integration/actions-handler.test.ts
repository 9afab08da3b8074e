// functions/actions.ts driven with real SQS events received from the emulator; executions and
// output read back from DynamoDB Local. Every action is a real child process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import { DynamoSlotPool } from '../../src/pool/index.ts';
import { OutputWriter, readOutput } from '../../src/store/output.ts';
import type { Execution } from '../../src/model/execution.ts';
import { isTerminal } from '../../src/model/status.ts';
import { deliver, invoke, receive, toEvent, type Handler } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

// A pack given through ACTIONRUNNER_PACKS_PATH: a secret parameter, an action safe to run twice.
const extraPacks = mkdtempSync(join(tmpdir(), 'packs-'));
mkdirSync(join(extraPacks, 'extra', 'actions'), { recursive: true });
writeFileSync(
  join(extraPacks, 'extra', 'actions', 'show_secret.yaml'),
  [
    'name: show_secret',
    'runner_type: local-shell-cmd',
    'parameters:',
    '  token:',
    '    type: string',
    '    secret: true',
    '    required: true',
    '  cmd:',
    '    default: echo "token is {{token}}"',
  ].join('\n'),
);
// Actions of every runner that print, return and throw their secret `pw`.
const leaky = (name: string, runner: string, entry: string, source: string, mode = false) => {
  const params = [
    '  pw:',
    '    type: string',
    '    secret: true',
    '    required: true',
    ...(mode ? ['  mode:', '    type: string', '    default: return'] : []),
  ];
  writeFileSync(
    join(extraPacks, 'extra', 'actions', `${name}.yaml`),
    [`name: ${name}`, `runner_type: ${runner}`, `entry_point: ${entry}`, 'parameters:', ...params].join('\n'),
  );
  writeFileSync(join(extraPacks, 'extra', 'actions', entry), source, { mode: 0o755 });
};
leaky(
  'leak_py',
  'python-script',
  'leak_py.py',
  [
    'from st2common.runners.base_action import Action',
    'class Leak(Action):',
    '    def run(self, pw, mode):',
    '        print("pw is " + pw)',
    '        self.logger.info("logging %s", pw)',
    '        if mode == "many":',
    '            return pw * 70000',
    '        if mode == "raise":',
    '            raise ValueError("bad pw %r" % pw)',
    '        return {"nested": {"pw": pw, "list": [pw, repr({"pw": pw})], pw: 1}}',
  ].join('\n'),
  true,
);
leaky(
  'leak_node',
  'node-script',
  'leak_node.mjs',
  [
    'export async function run({ pw, mode }) {',
    '  console.log(`pw is ${pw}`);',
    '  console.error(JSON.stringify({ pw }));',
    '  if (mode === "throw") throw new Error(`bad pw ${pw}`);',
    '  return { nested: { pw, [pw]: 1, json: JSON.stringify({ pw }) } };',
    '}',
  ].join('\n'),
  true,
);
// The secret in two writes apart, and at a 64 KiB chunk boundary of one long line.
leaky(
  'leak_sh',
  'local-shell-script',
  'leak_sh.sh',
  [
    '#!/bin/sh',
    'for a; do case $a in --pw=*) pw=${a#--pw=};; esac; done',
    'printf "%s" "$(printf "%s" "$pw" | cut -c1-5)"; sleep 0.3; printf "%s\\n" "$(printf "%s" "$pw" | cut -c6-)"',
    'head -c 65530 /dev/zero | tr "\\0" x; printf "%s\\n" "$pw"',
    'echo "stderr: $pw" >&2',
    'exit 4',
  ].join('\n'),
);

// One bad file in the pack: only its own action is lost.
writeFileSync(join(extraPacks, 'extra', 'actions', 'broken.yaml'), 'name: broken\nrunner_type: local-shell-cmd\nparameters: [\n');
writeFileSync(
  join(extraPacks, 'extra', 'actions', 'safe_to_rerun.yaml'),
  ['name: safe_to_rerun', 'runner_type: local-shell-cmd', 'retry_on_abandon: true'].join('\n'),
);

const substrate = useSubstrate({
  env: { ACTIONRUNNER_HEARTBEAT_MS: '200', ACTIONRUNNER_KILL_GRACE_MS: '300', ACTIONRUNNER_PACKS_PATH: extraPacks, ACTIONRUNNER_PARALLELISM: '4' },
});
let handler: Handler;
let runtime: Runtime;

beforeAll(async () => {
  Object.assign(process.env, substrate.env, { AWS_SECRET_ACCESS_KEY: 'leak-canary-5f2c1d', AWS_SESSION_TOKEN: 'leak-canary-token' });
  ({ handler } = await import('../../functions/actions.ts'));
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients });
});

// Each scenario starts from empty queues.
afterEach(() => substrate.purgeQueues());

const marker = () => `m${randomBytes(6).toString('hex')}`;
const alive = (pattern: string) => {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

async function run(action: string, parameters: Record<string, unknown>, timeoutMs?: number): Promise<Execution> {
  const { execution } = await runtime.service.request({ action, parameters });
  await deliver(substrate, 'actions', handler, timeoutMs);
  return (await runtime.store.get(execution.id))!;
}

/** A delayed core.noop due in an hour: its message, if it comes now, is early. */
const createEarly = () =>
  runtime.store.create({
    action: 'core.noop',
    runner: 'noop',
    parameters: {},
    secretParameters: [],
    status: 'delayed',
    context: { notBefore: Date.now() + 3_600_000 },
  });

async function outputOf(id: string, type?: 'stdout' | 'stderr') {
  return readOutput(substrate.clients.doc, substrate.tableNames.output, id, { type });
}

describe('actions handler', () => {
  it('runs a shell command and stores its result, status log and output', async () => {
    const execution = await run('core.local', { cmd: 'echo one; echo two; echo 10 >&2' });
    expect(execution.status).toBe('succeeded');
    expect(execution.result).toMatchObject({ stdout: 'one\ntwo', stderr: 10, return_code: 0, succeeded: true, failed: false });
    expect(execution.log.map((entry) => entry.status)).toEqual(['requested', 'running', 'succeeded']);
    expect(execution.end_timestamp).toBeDefined();
    const output = await outputOf(execution.id);
    expect(
      output
        .filter((r) => r.output_type === 'stdout')
        .map((r) => r.data)
        .join(''),
    ).toBe('one\ntwo\n');
    expect(output[0]).toMatchObject({ execution_id: execution.id, action_ref: 'core.local', runner_ref: 'local-shell-cmd' });
    expect(output.every((r, index) => r.seq === index)).toBe(true);
  });

  it('records a failing action as failed and deletes its message', async () => {
    const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'echo bad >&2; exit 3' } });
    const { response } = await deliver(substrate, 'actions', handler);
    expect(response.batchItemFailures).toEqual([]);
    const done = (await runtime.store.get(execution.id))!;
    expect(done.status).toBe('failed');
    expect(done.result).toMatchObject({ return_code: 3, stderr: 'bad', failed: true });
    expect(await receive(substrate, 'actions', 1, 0)).toEqual([]);
  });

  it('times out an action and leaves no process of its tree, grandchildren included', async () => {
    const tag = marker();
    const cmd = `sh -c 'trap "" TERM; sleep 1000; : ${tag}' & sleep 1000 & echo started; wait; : ${tag}`;
    const execution = await run('core.local', { cmd, timeout: 1 });
    expect(execution.status).toBe('timeout');
    expect(execution.result).toMatchObject({ return_code: -9, error: 'Action failed to complete in 1 seconds' });
    expect(alive(tag)).toBe('');
    expect((await outputOf(execution.id)).map((r) => r.data).join('')).toBe('started\n');
  });

  it('stops an action before the Lambda deadline and records the outcome', async () => {
    const execution = await run('core.local', { cmd: 'sleep 30', timeout: 60 }, 4_000 + substrate.config.deadlineMarginMs);
    expect(execution.status).toBe('timeout');
    expect(execution.error).toMatch(/before the function's deadline/);
  });

  it('cancels a running action: canceling, then canceled with its process tree killed', async () => {
    const tag = marker();
    const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: `echo ready; sleep 1000; : ${tag}` } });
    const delivered = deliver(substrate, 'actions', handler);
    await eventually(async () => expect((await runtime.store.get(execution.id))!.status).toBe('running'));
    expect((await runtime.service.cancel(execution.id)).status).toBe('canceling');
    await delivered;
    const done = (await runtime.store.get(execution.id))!;
    expect(done.status).toBe('canceled');
    expect(done.log.map((entry) => entry.status)).toEqual(['requested', 'running', 'canceling', 'canceled']);
    expect(alive(tag)).toBe('');
  });

  it('cancels an execution that has not started at once', async () => {
    const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'touch /tmp/never' } });
    expect((await runtime.service.cancel(execution.id)).status).toBe('canceled');
    const { response } = await deliver(substrate, 'actions', handler);
    expect(response.batchItemFailures).toEqual([]);
    expect((await runtime.store.get(execution.id))!.log.map((entry) => entry.status)).toEqual(['requested', 'canceled']);
  });

  it('runs a message delivered twice at once only one time', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'twice-')), 'runs');
    const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: `echo run >> ${file}; sleep 1` } });
    const [message] = await receive(substrate, 'actions', 1);
    const event = await toEvent(substrate, 'actions', [message]);
    // One delivery runs it; the other finds it held and gives its message back for later (never drops it).
    const settled = await Promise.allSettled([
      invoke(substrate, 'actions', handler, event),
      handler(event, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'other' } as never),
    ]);
    expect(settled.filter((result) => result.status === 'fulfilled').map((result) => result.value)).toEqual([{ batchItemFailures: [] }]);
    expect(settled.filter((result) => result.status === 'rejected').map((result) => String(result.reason))).toEqual([
      expect.stringMatching(/held elsewhere: execution .* - lease of /),
    ]);
    expect(readFileSync(file, 'utf8')).toBe('run\n');
    expect((await runtime.store.get(execution.id))!.status).toBe('succeeded');
    // A late redelivery of a finished execution does not run it again either.
    await handler(event, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'late' } as never);
    expect(readFileSync(file, 'utf8')).toBe('run\n');
  });

  it('a second delivery of a running execution neither finds its pool slot as its own nor frees it', async () => {
    const slots = new DynamoSlotPool({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions });
    const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'sleep 2' } });
    const [message] = await receive(substrate, 'actions', 1);
    const event = await toEvent(substrate, 'actions', [message]);
    const first = invoke(substrate, 'actions', handler, event);
    await eventually(async () => expect((await runtime.store.get(execution.id))!.status).toBe('running'), { timeoutMs: 10_000, intervalMs: 20 });
    expect(await slots.running('actions')).toBe(1);
    // The same message again (SQS delivers at least once; the sweeper sends again): refused, the run goes on.
    await expect(handler(event, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'again' } as never)).rejects.toThrow(/held elsewhere/);
    expect((await runtime.store.get(execution.id))!.status).toBe('running');
    // Its slot is still held: the pool still counts the running action (freeing it let a 61st action start).
    expect(await slots.running('actions')).toBe(1);
    await first;
    expect((await runtime.store.get(execution.id))!.status).toBe('succeeded');
    expect(await slots.running('actions')).toBe(0);
  });

  it('marks an execution whose runner died (expired lease) abandoned on redelivery', async () => {
    const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'true' } });
    await runtime.store.claim(execution.id, 'dead-runner', 1);
    await eventually(async () => expect((await runtime.store.get(execution.id))!.lease!.expiresAt).toBeLessThan(Date.now()));
    await deliver(substrate, 'actions', handler);
    const done = (await runtime.store.get(execution.id))!;
    expect(done.status).toBe('abandoned');
    expect(done.error).toMatch(/dead-runner stopped renewing its lease/);
  });

  it('runs an action that says retry_on_abandon again when its runner died, keeping the first output', async () => {
    const { execution } = await runtime.service.request({ action: 'extra.safe_to_rerun', parameters: { cmd: 'echo second run' } });
    await runtime.store.claim(execution.id, 'dead-runner', 1);
    const firstRun = new OutputWriter({
      doc: substrate.clients.doc,
      tableName: substrate.tableNames.output,
      executionId: execution.id,
      actionRef: 'extra.safe_to_rerun',
      runnerRef: 'local-shell-cmd',
    });
    await firstRun.write('stdout', 'first run, cut short\n');
    await firstRun.close();
    await eventually(async () => expect((await runtime.store.get(execution.id))!.lease!.expiresAt).toBeLessThan(Date.now()));
    await deliver(substrate, 'actions', handler);
    const done = (await runtime.store.get(execution.id))!;
    expect(done).toMatchObject({ status: 'succeeded', attempt: 2, result: { stdout: 'second run' } });
    expect(done.log.map((entry) => entry.status)).toEqual(['requested', 'running', 'scheduled', 'running', 'succeeded']);
    expect((await outputOf(execution.id)).map((r) => [r.seq, r.data])).toEqual([
      [0, 'first run, cut short\n'],
      [1, 'second run\n'],
    ]);
  });

  it('sends a poison message to the DLQ with the reason', async () => {
    await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: 'not json at all' }));
    const { response } = await deliver(substrate, 'actions', handler);
    expect(response.batchItemFailures).toEqual([]);
    const [dead] = await receive(substrate, 'actionsDlq', 1);
    expect(dead.Body).toBe('not json at all');
    expect(dead.MessageAttributes?.error?.StringValue).toMatch(/^malformed message: body is not JSON/);
  });

  it('records a full request with invalid parameters as a failed execution with a clear error', async () => {
    const body = JSON.stringify({ action: 'core.local', parameters: { cmd: 'true', bogus: 1 }, idempotencyKey: marker() });
    await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: body }));
    const { response } = await deliver(substrate, 'actions', handler);
    expect(response.batchItemFailures).toEqual([]);
    const [failed] = await runtime.store.list({ limit: 1 });
    expect(failed).toMatchObject({ action: 'core.local', status: 'failed' });
    expect(failed.error).toMatch(/^invalid parameter: bogus - unknown parameter for core.local \(allowed: cmd, /);
    expect(await receive(substrate, 'actionsDlq', 1, 0)).toEqual([]);
  });

  it('runs a full request message, once per message id', async () => {
    const body = JSON.stringify({ version: 1, action: 'core.echo', parameters: { message: 'from sqs' } });
    await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: body }));
    const [message] = await receive(substrate, 'actions', 1);
    const event = await toEvent(substrate, 'actions', [message]);
    await invoke(substrate, 'actions', handler, event);
    await handler(event, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'again' } as never);
    // A listing has no results: each listed echo is read whole.
    const listed = await runtime.store.list({ limit: 10, action: 'core.echo' });
    const echoes = (await Promise.all(listed.map((e) => runtime.store.get(e.id)))).filter((e) => (e!.result as { stdout?: string })?.stdout === 'from sqs');
    expect(echoes).toHaveLength(1);
    expect(echoes[0]!.status).toBe('succeeded');
  });

  it('records an unknown action as a failed execution naming it', async () => {
    await substrate.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: JSON.stringify({ action: 'nope.missing' }) }),
    );
    await deliver(substrate, 'actions', handler);
    const [failed] = await runtime.store.list({ limit: 1, action: 'nope.missing' });
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/unknown action: nope\.missing/) });
    expect(await receive(substrate, 'actionsDlq', 1, 0)).toEqual([]);
  });

  it('records a request for an action of a broken file as a failed execution with the reason; the rest of its pack runs', async () => {
    await substrate.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: JSON.stringify({ action: 'extra.broken' }) }),
    );
    await deliver(substrate, 'actions', handler);
    const [failed] = await runtime.store.list({ limit: 1, action: 'extra.broken' });
    expect(failed).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^action unavailable: extra\.broken - invalid action metadata: .*broken\.yaml - not valid YAML/),
    });
    expect((await run('extra.show_secret', { token: 'abcd' })).status).toBe('succeeded');
  });

  it('keeps the Lambda credentials out of the action environment', async () => {
    const execution = await run('core.local', { cmd: 'env | grep -E "AWS_(SECRET|SESSION|ACCESS)" || echo clean' });
    expect(execution.result).toMatchObject({ stdout: 'clean' });
    expect(JSON.stringify(await outputOf(execution.id))).not.toContain('leak-canary');
  });

  it('passes parameters to commands quoted: no shell injection', async () => {
    const pwned = join(tmpdir(), `pwned-${marker()}`);
    const message = `"; touch ${pwned}; echo "`;
    const execution = await run('core.echo', { message });
    expect(existsSync(pwned)).toBe(false);
    expect(execution.status).toBe('succeeded');
    // The stored output is what echo printed: the value, byte for byte. (The result's stdout is
    // that text through st2's JSON parsing, which reads this one as a JSON string literal.)
    expect((await outputOf(execution.id)).map((r) => r.data).join('')).toBe(`${message}\n`);
  });

  it('masks secrets in the output and in the result', async () => {
    const execution = await run('extra.show_secret', { token: 's3cr3t-value' });
    expect(execution.status).toBe('succeeded');
    expect(JSON.stringify(execution.result)).not.toContain('s3cr3t-value');
    const output = (await outputOf(execution.id)).map((r) => r.data).join('');
    expect(output).toBe('token is ********\n');
  });

  describe('never stores a secret, whatever the runner does with it', () => {
    // Quotes and a backslash: escaped differently by JSON, Python repr and Node.
    const pw = `Zq9'x"\\Kp7-leak`;
    const leaked = /Zq9|Kp7-leak/;
    let logged: string[];
    let restore: () => void;
    beforeEach(() => {
      logged = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
        logged.push(String(chunk));
        return write(chunk, ...rest);
      }) as typeof process.stderr.write;
      restore = () => (process.stderr.write = write);
    });
    afterEach(() => restore());

    async function expectNoLeak(execution: Execution) {
      const output = await outputOf(execution.id);
      // `parameters` holds the value itself: the run (and a re-run) reads it from there; never shown.
      expect(execution.parameters).toMatchObject({ [execution.action === 'extra.show_secret' ? 'token' : 'pw']: pw });
      expect(JSON.stringify({ ...execution, parameters: undefined })).not.toMatch(leaked);
      expect(JSON.stringify(output)).not.toMatch(leaked);
      expect(logged.join('')).not.toMatch(leaked);
      return output.map((r) => r.data).join('');
    }

    it('python-script: a returned nested value and key, a repr, print, the logger', async () => {
      const execution = await run('extra.leak_py', { pw });
      expect(execution.status).toBe('succeeded');
      expect(execution.result).toMatchObject({ result: { nested: { pw: '********', '********': 1, list: ['********', "{'pw': '********'}"] } } });
      expect(await expectNoLeak(execution)).toContain('pw is ********');
    });

    it('python-script: an exception whose message and traceback quote it', async () => {
      const execution = await run('extra.leak_py', { pw, mode: 'raise' });
      expect(execution.status).toBe('failed');
      expect(JSON.stringify(execution.result)).toMatch(/ValueError: bad pw '?\*{8}'?/);
      await expectNoLeak(execution);
    });

    it('a result that fits, holding a short secret so often that masking makes it too big: masked, then cut to fit', async () => {
      const execution = await run('extra.leak_py', { pw: 'wxyz', mode: 'many' });
      expect(execution.status).toBe('succeeded');
      expect(execution.result).toMatchObject({ result_truncated: true });
      expect(JSON.stringify(execution.result)).toContain('********');
      expect(JSON.stringify(execution.result)).not.toContain('wxyz');
    });

    it('node-script: a returned value, key and JSON text, console output', async () => {
      const execution = await run('extra.leak_node', { pw });
      expect(execution.status).toBe('succeeded');
      expect(execution.result).toMatchObject({ result: { nested: { pw: '********', '********': 1, json: '{"pw":"********"}' } } });
      await expectNoLeak(execution);
    });

    it('node-script: a thrown error, message and stack', async () => {
      const execution = await run('extra.leak_node', { pw, mode: 'throw' });
      expect(execution.status).toBe('failed');
      expect(JSON.stringify(execution.result)).toContain('bad pw ********');
      await expectNoLeak(execution);
    });

    it('local-shell-script: written in two pieces, cut at a chunk boundary, on stderr', async () => {
      const execution = await run('extra.leak_sh', { pw });
      expect(execution.status).toBe('failed');
      const text = await expectNoLeak(execution);
      expect(text).toContain('********\n');
      expect(text).toContain(`${'x'.repeat(65530)}********\n`);
    });

    it('local-shell-cmd: echoed', async () => {
      const execution = await run('extra.show_secret', { token: pw });
      expect(await expectNoLeak(execution)).toBe('token is ********\n');
    });
  });

  describe('300 KiB parameter values', () => {
    const big = 'b'.repeat(300 * 1024);

    it('refuses them at request time for a shell action, naming the parameter and the limit (no bare "spawn E2BIG")', async () => {
      await expect(runtime.service.request({ action: 'core.echo', parameters: { message: big } })).rejects.toThrow(
        /^parameter too large: message - 301 KiB exceeds the 128 KiB a single argument or environment variable can hold on Linux/,
      );
      const body = JSON.stringify({ action: 'core.echo', parameters: { message: big }, idempotencyKey: marker() });
      await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: body }));
      await deliver(substrate, 'actions', handler);
      const [failed] = await runtime.store.list({ limit: 1, action: 'core.echo' });
      expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^parameter too large: message - 301 KiB/) });
    });

    it('runs them for python-script and node-script (parameters on stdin)', async () => {
      const python = await run('examples.python_hello', { name: big });
      expect(python.status, JSON.stringify(python.error)).toBe('succeeded');
      expect((await outputOf(python.id, 'stdout')).map((r) => r.data).join('')).toBe(`greeting ${big} 1 time(s)\n`);
      const node = await run('examples.node_hello', { name: big });
      expect(node.status, JSON.stringify(node.error)).toBe('succeeded');
      expect((await outputOf(node.id, 'stdout')).map((r) => r.data).join('')).toBe(`greeting ${big}\n`);
    });
  });

  it('stores output live while the action runs', async () => {
    const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'echo first; sleep 3; echo second' } });
    const delivered = deliver(substrate, 'actions', handler);
    const seen = await eventually(async () => {
      const output = await outputOf(execution.id);
      expect(output.map((r) => r.data).join('')).toBe('first\n');
      return (await runtime.store.get(execution.id))!.status;
    });
    expect(seen).toBe('running');
    await delivered;
    expect((await outputOf(execution.id)).map((r) => r.data).join('')).toBe('first\nsecond\n');
  });

  it('stores exactly 1,000,000 characters of output intact, in order, in items under 400 KB', async () => {
    const execution = await run('core.local', { cmd: `python3 -c "import sys; sys.stdout.write(''.join(chr(97 + i % 26) for i in range(999999)) + '\\n')"` });
    expect(execution.status).toBe('succeeded');
    const output = await outputOf(execution.id, 'stdout');
    const text = output.map((r) => r.data).join('');
    expect(text.length).toBe(1_000_000);
    expect(text.slice(0, 30)).toBe('abcdefghijklmnopqrstuvwxyzabcd');
    expect(Math.max(...output.map((r) => Buffer.byteLength(r.data)))).toBeLessThanOrEqual(substrate.config.outputChunkBytes);
  });

  it('refuses at request time an action timeout that can never fit the function timeout', async () => {
    await expect(runtime.service.request({ action: 'core.local', parameters: { cmd: 'true', timeout: 5000 } })).rejects.toThrow(
      /timeout does not fit: core.local - timeout 5000 s exceeds the 895 s/,
    );
  });

  it('sends a delayed execution whose message arrives early back to wait (delays beyond the 900 s SQS allows)', async () => {
    const { execution } = await createEarly();
    await substrate.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: JSON.stringify({ executionId: execution.id }) }),
    );
    const { response } = await deliver(substrate, 'actions', handler);
    expect(response.batchItemFailures).toEqual([]);
    expect((await runtime.store.get(execution.id))!.status).toBe('delayed');
    const { Attributes } = await substrate.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: substrate.queueUrls.actions, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
  });

  describe('claim on arrival (a message that names its action: no read before the claim)', () => {
    const send = (body: Record<string, unknown>) =>
      substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: JSON.stringify(body) }));

    it('a requested action is sent with its action ref in a message attribute and runs, claimed without a read', async () => {
      const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'echo arrived' } });
      const [message] = await receive(substrate, 'actions', 1);
      // The action rides in a message attribute: the body stays what a function of the release before reads (strictly).
      expect(JSON.parse(message.Body!)).toEqual({ version: 1, executionId: execution.id });
      expect(message.MessageAttributes?.action).toMatchObject({ DataType: 'String', StringValue: 'core.local' });
      await invoke(substrate, 'actions', handler, await toEvent(substrate, 'actions', [message]));
      const done = (await runtime.store.get(execution.id))!;
      expect(done).toMatchObject({ status: 'succeeded', attempt: 1, result: { stdout: 'arrived' } });
    });

    it('refuses the claim for an execution of another action than the message names: the usual way runs it as it is', async () => {
      const { execution } = await runtime.store.create({ action: 'core.ask', runner: 'inquirer', parameters: {}, secretParameters: [] });
      await send({ executionId: execution.id, action: 'core.noop' });
      await deliver(substrate, 'actions', handler);
      const asked = (await runtime.store.get(execution.id))!;
      expect(asked.status).toBe('pending');
      expect(asked.log.map((entry) => entry.status)).toEqual(['requested', 'pending']);
    });

    it('refuses the claim for an execution that is not due yet: it stays delayed and waits again', async () => {
      const { execution } = await createEarly();
      await send({ executionId: execution.id, action: 'core.noop' });
      await deliver(substrate, 'actions', handler);
      expect((await runtime.store.get(execution.id))!).toMatchObject({ status: 'delayed', attempt: 0 });
    });

    it('fails a claimed execution whose parameters do not validate, saying why', async () => {
      const { execution } = await runtime.store.create({ action: 'core.local', runner: 'local-shell-cmd', parameters: {}, secretParameters: [] });
      await send({ executionId: execution.id, action: 'core.local' });
      const { response } = await deliver(substrate, 'actions', handler);
      expect(response.batchItemFailures).toEqual([]);
      const failed = (await runtime.store.get(execution.id))!;
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/cmd/);
      expect(failed.lease).toBeUndefined();
    });

    it('sends a message naming an unknown execution to the DLQ', async () => {
      await send({ executionId: 'no-such-execution', action: 'core.local' });
      await deliver(substrate, 'actions', handler);
      const [dead] = await receive(substrate, 'actionsDlq', 1);
      expect(dead.MessageAttributes?.error?.StringValue).toMatch(/unknown execution: no-such-execution/);
    });
  });

  it('sends an execution whose first request crashed before enqueueing when the request is repeated', async () => {
    const key = marker();
    // The first attempt recorded the execution, then died before sending its message.
    const { execution } = await runtime.store.create({ action: 'core.noop', runner: 'noop', parameters: {}, secretParameters: [], idempotencyKey: key });
    const again = await runtime.service.request({ action: 'core.noop', idempotencyKey: key });
    expect(again).toMatchObject({ created: false, execution: { id: execution.id } });
    await deliver(substrate, 'actions', handler);
    expect((await runtime.store.get(execution.id))!.status).toBe('succeeded');
  });

  it('re-queues an action that waited for a slot past the time it needs, instead of starting it short', async () => {
    const ids = [];
    for (let i = 0; i < 2; i++) ids.push((await runtime.service.request({ action: 'core.local', parameters: { cmd: 'sleep 1.5', timeout: 10 } })).execution.id);
    const messages = await receive(substrate, 'actions', 10);
    expect(messages).toHaveLength(2);
    const oneSlot = createRuntime({ config: { ...substrate.config, parallelism: 1 }, clients: substrate.clients });
    // 12 s left, 5 s kept as margin: 7 s for actions. The first to get the slot runs; the other has
    // waited 1.5 s for it and can then only get 5.5 s of its 10.
    const event = await toEvent(substrate, 'actions', messages);
    await invoke(substrate, 'actions', (e, context) => oneSlot.processor.process(e, context), event, 12_000);
    const statuses = await Promise.all(ids.map(async (id) => (await runtime.store.get(id))!.status));
    expect([...statuses].sort()).toEqual(['requested', 'succeeded']);
    const [requeued] = await receive(substrate, 'actions', 1);
    expect(JSON.parse(requeued.Body!)).toMatchObject({ executionId: ids[statuses.indexOf('requested')] });
  });

  it('does not start an action with less than 3 s left in the invocation: it goes back to the queue', async () => {
    const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'true' } });
    const { response } = await deliver(substrate, 'actions', handler, 2_500 + substrate.config.deadlineMarginMs);
    expect(response.batchItemFailures).toEqual([]);
    expect((await runtime.store.get(execution.id))!.status).toBe('requested');
    const [requeued] = await receive(substrate, 'actions', 1);
    expect(JSON.parse(requeued.Body!)).toMatchObject({ executionId: execution.id });
  });

  it('stops re-queueing an action after three claims: it then runs with the time there is', async () => {
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'sleep 1.5', timeout: 10 } });
      // As if three claims had happened already.
      await substrate.clients.doc.send(
        new UpdateCommand({
          TableName: substrate.tableNames.executions,
          Key: { id: execution.id },
          UpdateExpression: 'SET attempt = :three',
          ExpressionAttributeValues: { ':three': 3 },
        }),
      );
      ids.push(execution.id);
    }
    const messages = await receive(substrate, 'actions', 10);
    const oneSlot = createRuntime({ config: { ...substrate.config, parallelism: 1 }, clients: substrate.clients });
    await invoke(substrate, 'actions', (e, context) => oneSlot.processor.process(e, context), await toEvent(substrate, 'actions', messages), 12_000);
    const statuses = await Promise.all(ids.map(async (id) => (await runtime.store.get(id))!.status));
    expect(statuses).toEqual(['succeeded', 'succeeded']);
  });

  it('holds an action that waits for a slot as scheduled, and cancels it at once there', async () => {
    const tag = marker();
    const first = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'sleep 3' } });
    const second = await runtime.service.request({ action: 'core.local', parameters: { cmd: `sleep 1000; : ${tag}` } });
    const third = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'true' } });
    const messages = await receive(substrate, 'actions', 10);
    expect(messages).toHaveLength(3);
    const oneSlot = createRuntime({ config: { ...substrate.config, parallelism: 1 }, clients: substrate.clients });
    const delivered = invoke(
      substrate,
      'actions',
      (e, context) => oneSlot.processor.process(e, context),
      await toEvent(substrate, 'actions', messages),
      300_000,
    );
    // Whichever got the slot runs; the two others wait for it as scheduled.
    await eventually(async () => {
      const statuses = await Promise.all([first, second, third].map(async ({ execution }) => (await runtime.store.get(execution.id))!.status));
      expect([...statuses].sort()).toEqual(['running', 'scheduled', 'scheduled']);
    });
    const waiting = (await runtime.store.get(second.execution.id))!;
    if (waiting.status === 'scheduled') expect((await runtime.service.cancel(second.execution.id)).status).toBe('canceled');
    else await runtime.service.cancel(second.execution.id);
    await delivered;
    const ended = await Promise.all([first, second, third].map(async ({ execution }) => (await runtime.store.get(execution.id))!));
    expect(ended.map((e) => e.status)).toEqual(['succeeded', 'canceled', 'succeeded']);
    expect(alive(tag)).toBe('');
    const waited = ended.filter((e) => e.log.some((entry) => entry.status === 'scheduled') && e.status === 'succeeded');
    for (const execution of waited) expect(execution.log.map((entry) => entry.status)).toEqual(['requested', 'scheduled', 'running', 'succeeded']);
    expect(waited.length + (ended[1].log.some((entry) => entry.status === 'scheduled') ? 1 : 0)).toBe(2);
  });

  it('brings a record that failed on the store back after the retry delay, not the queue visibility timeout', async () => {
    const unreachable = createRuntime({ config: { ...substrate.config, executionsTable: 'no-such-table', retryDelaySeconds: 1 }, clients: substrate.clients });
    await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: JSON.stringify({ executionId: 'any' }) }));
    const messages = await receive(substrate, 'actions', 1);
    const event = await toEvent(substrate, 'actions', messages);
    await expect(unreachable.processor.process(event, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'unreachable' })).rejects.toThrow(/batch failed/);
    const again = await eventually(
      async () => {
        const [message] = await receive(substrate, 'actions', 1, 1);
        expect(message?.MessageId).toBe(messages[0].MessageId);
        return message;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  describe('with an output table that cannot be written', () => {
    let broken: Runtime;
    beforeAll(() => {
      broken = createRuntime({ config: { ...substrate.config, outputTable: 'no-such-table' }, clients: substrate.clients });
    });
    const brokenHandler: Handler = (event, context) => broken.processor.process(event, context);

    it('still records the outcome, saying the output is incomplete', async () => {
      const { execution } = await runtime.service.request({ action: 'core.echo', parameters: { message: 'lost' } });
      const { response } = await deliver(substrate, 'actions', brokenHandler);
      expect(response.batchItemFailures).toEqual([]);
      const done = (await runtime.store.get(execution.id))!;
      expect(isTerminal(done.status)).toBe(true);
      expect(done.error).toMatch(/^output incomplete: chunks from 0 on could not be stored/);
    });

    it('gives back an execution it claimed but could not start, for a later delivery', async () => {
      const { execution } = await runtime.service.request({ action: 'extra.safe_to_rerun', parameters: { cmd: 'true' } });
      await runtime.store.claim(execution.id, 'dead-runner', 1);
      await eventually(async () => expect((await runtime.store.get(execution.id))!.lease!.expiresAt).toBeLessThan(Date.now()));
      const messages = await receive(substrate, 'actions', 1);
      await expect(
        brokenHandler(await toEvent(substrate, 'actions', messages), { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'broken' } as never),
      ).rejects.toThrow(/batch failed/);
      const current = (await runtime.store.get(execution.id))!;
      expect(current.status).toBe('scheduled');
      expect(current.lease).toBeUndefined();
      expect(current.log.at(-1)!.reason).toMatch(/^not started: /);
    });
  });

  it('returns the existing execution for a repeated idempotency key', async () => {
    const key = marker();
    const first = await runtime.service.request({ action: 'core.noop', idempotencyKey: key });
    const second = await runtime.service.request({ action: 'core.noop', idempotencyKey: key });
    expect(second).toMatchObject({ created: false, execution: { id: first.execution.id } });
    await deliver(substrate, 'actions', handler);
    expect((await runtime.store.get(first.execution.id))!.status).toBe('succeeded');
  });
});
