// End to end: `actionrunner local` as its own process, driven through the `actionrunner` CLI.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/substrate.ts';
import { cleanEnv, cli, processesMatching, startLocal, writePack, type LocalProcess } from './helpers.ts';

function sqsFor(local: LocalProcess): SQSClient {
  const { sqsEndpoint, region } = local.discovery();
  return new SQSClient({ region, endpoint: sqsEndpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** A pack with one good action, an alias bomb and an unknown runner_type. */
function writeBrokenPack(root: string): void {
  const actions = path.join(root, 'broken', 'actions');
  mkdirSync(actions, { recursive: true });
  writeFileSync(path.join(actions, 'fine.yaml'), 'name: fine\nrunner_type: noop\n');
  writeFileSync(path.join(actions, 'odd.yaml'), 'name: odd\nrunner_type: bogus\n');
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `l${i}: &l${i} [${Array(9)
        .fill(i === 1 ? '*a' : `*l${i - 1}`)
        .join(',')}]`,
    );
  writeFileSync(path.join(actions, 'bomb.yaml'), `${levels.join('\n')}\nname: bomb\nrunner_type: noop\n`);
}

describe('actionrunner local driven by the CLI', () => {
  let dir: string;
  let local: LocalProcess;
  let env: Record<string, string>;
  const run = (...args: string[]) => cli(dir, args, env);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-'));
    const packs = writePack(path.join(dir, 'packs-extra'));
    writeBrokenPack(packs);
    // The CLI gets no ACTIONRUNNER_* variables: it must find everything through the discovery file.
    env = cleanEnv();
    local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_PACKS_PATH: packs, ACTIONRUNNER_BATCHING_WINDOW: '0', ACTIONRUNNER_HEARTBEAT_MS: '300' }));
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('says ready with the endpoints and writes the discovery file', () => {
    expect(local.readyLine).toMatch(/ready - stage dev, api http:\/\/127\.0\.0\.1:\d+, sqs http:\/\/127\.0\.0\.1:\d+, dynamodb http:\/\/127\.0\.0\.1:\d+/);
    expect(local.discovery()).toMatchObject({ pid: local.child.pid, stage: 'dev' });
  });

  it('runs an action of a pack from ACTIONRUNNER_PACKS_PATH: values cast, secrets masked in --json', async () => {
    const result = await run('run', 'e2e.shout', 'word=hi', 'times=2', 'token=s3cr3t-value', '--json');
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ action: 'e2e.shout', status: 'succeeded', parameters: { word: 'hi', times: 2, token: '********' } });
    expect(doc.result.stdout).toBe('HI\nHI');
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['id', 'result', 'start_timestamp', 'end_timestamp', 'log']));
    expect(result.stdout).not.toContain('s3cr3t-value');
  });

  it('exits 1 when the action fails', async () => {
    const result = await run('run', 'core.local', 'cmd=echo about to fail; exit 3');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/status: failed/);
    expect(result.stdout).toMatch(/return_code: 3/);
  });

  it.each([
    [['run', 'core.nope'], /^error: unknown action: core\.nope - expected pack\.name/],
    [['run', 'core.local', 'cmd'], /^error: bad parameter: "cmd" - expected key=value/],
    [['run', 'e2e.shout', 'word=x', 'times=many'], /^error: invalid parameter: times - expected an integer/],
    [['run', 'core.local', 'cmd=true', '--bogus'], /^error: unknown option '--bogus'/],
    [['frobnicate'], /^error: unknown command 'frobnicate'/],
  ])('exits 2 on the usage error %j with one line', async (args, message) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('tails live, then replays the output; get last; list shows it newest first', async () => {
    const live = await run('run', 'core.local', 'cmd=echo one; sleep 0.4; echo two >&2; echo three', '--tail');
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(/^one\nthree\n/);
    expect(live.stderr).toContain('two\n');
    const replay = await run('execution', 'tail', 'last', '--type', 'stdout');
    expect(replay.stdout).toBe('one\nthree\n');
    const got = JSON.parse((await run('execution', 'get', 'last', '--json')).stdout);
    expect(got).toMatchObject({ action: 'core.local', status: 'succeeded' });
    const list = await run('execution', 'list', '-n', '3');
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+ACTION\s+STATUS\s+STARTED\s+DURATION$/);
    expect(lines[1]).toContain(got.id);
    expect(lines).toHaveLength(4);
  });

  it('cancels a running sleep: its process is gone', async () => {
    const started = await run('run', 'core.local', 'cmd=sleep 77.7', '--async');
    const id = started.stdout.trim();
    await eventually(() => expect(processesMatching('sleep 77.7').length).toBeGreaterThan(0), { timeoutMs: 15_000, intervalMs: 100 });
    const canceled = await run('execution', 'cancel', id);
    expect(canceled.stdout.trim()).toBe(`execution ${id}: canceled`);
    expect(processesMatching('sleep 77.7')).toEqual([]);
    const got = await run('execution', 'get', id);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/status: canceled/);
  });

  it('re-runs with an override, keeping the other parameters', async () => {
    const first = JSON.parse((await run('run', 'e2e.shout', 'word=hey', 'times=2', '--json')).stdout);
    const again = await run('execution', 're-run', first.id, 'word=bye', '--json');
    expect(again.code).toBe(0);
    const doc = JSON.parse(again.stdout);
    expect(doc).toMatchObject({ status: 'succeeded', parameters: { word: 'bye', times: 2 }, context: { reRunOf: first.id } });
    expect(doc.result.stdout).toBe('BYE\nBYE');
  });

  it('lists and shows actions', async () => {
    const list = await run('action', 'list', '--pack', 'e2e', '--json');
    expect(JSON.parse(list.stdout).map((a: { ref: string }) => a.ref)).toEqual(['e2e.shout']);
    const get = await run('action', 'get', 'e2e.shout');
    expect(get.stdout).toMatch(/word\s+string\s+yes/);
  });

  it('keeps running everything else while a broken pack sits on ACTIONRUNNER_PACKS_PATH', async () => {
    const echo = await run('run', 'core.echo', 'message=still here', '--json');
    expect(echo.code, echo.stderr).toBe(0);
    expect(JSON.parse(echo.stdout).result.stdout).toBe('still here');
    expect((await run('run', 'broken.fine', '--json')).code).toBe(0);

    const list = JSON.parse((await run('action', 'list', '--pack', 'broken', '--json')).stdout);
    expect(list.map((a: { ref: string }) => a.ref)).toEqual(['broken.bomb', 'broken.fine', 'broken.odd']);
    expect(list[0]).toMatchObject({ available: false, reason: expect.stringMatching(/bomb\.yaml - not valid YAML: too many aliases/) });
    expect(list[2]).toMatchObject({ available: false, field: 'runner_type', reason: expect.stringContaining('field "runner_type": expected one of') });
    const table = (await run('action', 'list', '--pack', 'broken')).stdout;
    expect(table).toMatch(/broken\.odd \(unavailable\)\s+invalid action metadata: .*odd\.yaml - field "runner_type"/);
    const get = await run('action', 'get', 'broken.odd');
    expect(get.stdout).toMatch(/available: false\nreason: invalid action metadata: .*odd\.yaml - field "runner_type"/);

    const refused = await run('run', 'broken.odd');
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(
      /^error: action unavailable: broken\.odd - invalid action metadata: .*odd\.yaml - field "runner_type": expected one of/,
    );
    const sudo = await run('run', 'core.local_sudo', 'cmd=id');
    expect(sudo.code).toBe(2);
    expect(sudo.stderr.trim()).toMatch(/^error: action unavailable: core\.local_sudo - sudo is not supported/);
    expect(local.output().stderr).toMatch(/"message":"action unavailable",("[a-z]+":"[^"]*",)*"ref":"broken\.bomb"/);
  });

  it('sends a poison message to the DLQ with the reason', async () => {
    const sqs = sqsFor(local);
    const { queueUrls } = local.discovery();
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrls.actions, MessageBody: 'this is not json' }));
      const message = await eventually(
        async () => {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrls.actionsDlq, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
          );
          expect(Messages).toHaveLength(1);
          return Messages[0];
        },
        { timeoutMs: 15_000 },
      );
      expect(message.Body).toBe('this is not json');
      expect(message.MessageAttributes?.error?.StringValue).toMatch(/^malformed message: body is not JSON/);
    } finally {
      sqs.destroy();
    }
  });
});

describe('actionrunner local: concurrency cap and Ctrl-C', () => {
  let dir: string;
  let dataDir: string;
  let local: LocalProcess;
  const localEnv = () =>
    cleanEnv({ ACTIONRUNNER_ACTIONS_POOL_SIZE: '5', ACTIONRUNNER_PARALLELISM: '1', ACTIONRUNNER_BATCHING_WINDOW: '0', ACTIONRUNNER_SHUTDOWN_GRACE_MS: '500' });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-cap-'));
    dataDir = path.join(dir, 'dynamodb-data');
    local = await startLocal(dir, ['--data-dir', dataDir], localEnv());
  });

  afterAll(async () => {
    await local?.stop('SIGKILL').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('never runs more than 5 actions at once (cap 5 x parallelism 1), and uses the 5', async () => {
    const marks = path.join(dir, 'marks.txt');
    const sqs = sqsFor(local);
    const { queueUrls } = local.discovery();
    // Full request messages, as any AWS producer may send them.
    const cmd = `echo s >> ${marks}; sleep 0.2; echo e >> ${marks}`;
    try {
      for (let batch = 0; batch < 5; batch++) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrls.actions,
            Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: JSON.stringify({ action: 'core.local', parameters: { cmd } }) })),
          }),
        );
      }
    } finally {
      sqs.destroy();
    }
    const lines = await eventually(
      () => {
        const text = existsSync(marks) ? readFileSync(marks, 'utf8').trim().split('\n') : [];
        expect(text).toHaveLength(100);
        return text;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    let running = 0;
    let peak = 0;
    for (const mark of lines) {
      running += mark === 's' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBeLessThanOrEqual(5);
    expect(peak).toBeGreaterThanOrEqual(3);
  });

  it('on Ctrl-C kills running actions, records them abandoned and leaves nothing running', async () => {
    const env = cleanEnv();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await cli(dir, ['run', 'core.local', 'cmd=sleep 66.6', '--async'], env)).stdout.trim());
    // One process per action: bash (the shell of cmd) execs a lone command in place.
    await eventually(() => expect(processesMatching('sleep 66.6')).toHaveLength(2), { timeoutMs: 15_000, intervalMs: 100 });
    const code = await local.stop('SIGINT', 30_000);
    expect(code).toBe(0);
    expect(processesMatching('sleep 66.6')).toEqual([]);
    expect(processesMatching(dataDir)).toEqual([]); // DynamoDB Local (java) and its guard
    expect(existsSync(path.join(dir, '.actionrunner', 'local.json'))).toBe(false);

    // The records survived in --data-dir: a new runtime shows them abandoned.
    local = await startLocal(dir, ['--data-dir', dataDir], localEnv());
    for (const id of ids) {
      const doc = JSON.parse((await cli(dir, ['execution', 'get', id, '--json'], env)).stdout);
      expect(doc.status).toBe('abandoned');
      expect(doc.error).toMatch(/execution abandoned: the local runtime shut down \(SIGINT received; grace period of 500 ms over\)/);
    }
    const again = await local.stop('SIGTERM', 30_000);
    expect(again).toBe(0);
    expect(processesMatching(dataDir)).toEqual([]);
  });
});
