// End to end: what st2 users type, and output that must reach a pipe whole, against one `actionrunner local`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli, startLocal, type LocalProcess } from './helpers.ts';

const ID = /^[0-9A-Z]{26}$/;

describe('the CLI as st2 users use it', () => {
  let dir: string;
  let local: LocalProcess;
  const run = (...args: string[]) => cli(dir, args, cleanEnv());

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-st2-'));
    local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_BATCHING_WINDOW: '0', ACTIONRUNNER_HEARTBEAT_MS: '300' }));
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('says what it is starting, one line a step on stderr, before "ready" on stdout', () => {
    const { stdout, stderr } = local.output();
    for (const step of [
      'SQS emulator',
      'DynamoDB Local (Java',
      'stage dev resources',
      'warm containers: 6 of the actions function',
      'event source mappings',
      'sweeper',
    ])
      expect(stderr).toContain(`starting: ${step}`);
    expect(stdout).not.toContain('starting:');
  });

  it('writes a JSON document of over 500 KB through a pipe whole', async () => {
    // Control bytes are stored as they are and printed as \u0001: 100 KB of them is 600 KB of JSON.
    const noise = '\u0001'.repeat(100_000);
    for (let i = 0; i < 2; i++) expect((await run('run', 'core.local', `cmd=true # ${noise}`, '--async')).code).toBe(0);
    const list = await run('execution', 'list', '-n', '2', '--json');
    expect(list.code, list.stderr).toBe(0);
    for (const { id } of JSON.parse(list.stdout) as Array<{ id: string }>) {
      const got = await run('execution', 'get', id, '--json');
      expect(got.code, got.stderr).toBe(0);
      expect(got.stdout.length).toBeGreaterThan(500_000);
      expect((JSON.parse(got.stdout) as { parameters: { cmd: string } }).parameters.cmd).toBe(`true # ${noise}`);
    }
  });

  it('takes st2 habits: -a, -j, --version, execution list -a', async () => {
    const version = await run('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version);

    const started = await run('run', 'core.echo', 'message=short flags', '-a');
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(ID);
    expect(started.stderr).toContain(`actionrunner execution tail ${id}`);

    const json = await run('run', 'core.echo', 'message=short flags', '-a', '-j');
    expect(JSON.parse(json.stdout)).toMatchObject({ id: expect.stringMatching(ID), action: 'core.echo' });

    const listed = await run('execution', 'list', '-a', 'core.echo', '-j');
    const actions = JSON.parse(listed.stdout) as Array<{ action: string; id: string }>;
    expect(actions.map((e) => e.action)).toEqual(actions.map(() => 'core.echo'));
    expect(actions.map((e) => e.id)).toContain(id);
  });

  it("run <ref> -h lists the action's parameters, not the generic help", async () => {
    const help = await run('run', 'core.local', '-h');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^core\.local: /);
    expect(help.stdout).toMatch(/PARAMETER\s+TYPE\s+REQUIRED\s+DEFAULT\s+DESCRIPTION/);
    expect(help.stdout).toMatch(/\ncmd\s+string\s+yes\s+Arbitrary Linux command/);
    expect(help.stdout).toMatch(/\ntimeout\s+integer\s+60\s+/);
    expect(help.stdout).not.toContain('Usage: actionrunner run');
    const generic = await run('run', '-h');
    expect(generic.stdout).toContain('Usage: actionrunner run');
  });

  it('"last" is the newest top-level execution: the workflow, not its last task; --tasks names each task', async () => {
    const workflow = JSON.parse((await run('run', 'examples.orquesta-sequential', 'name=Ada', '-j')).stdout) as { id: string; status: string };
    expect(workflow.status).toBe('succeeded');
    const last = JSON.parse((await run('execution', 'get', 'last', '--json')).stdout) as { id: string };
    expect(last.id).toBe(workflow.id);
    const tasks = await run('execution', 'get', 'last', '--tasks');
    expect(tasks.code).toBe(0);
    const table = tasks.stdout
      .slice(tasks.stdout.lastIndexOf('\nID ') + 1)
      .trim()
      .split('\n');
    expect(table[0]).toMatch(/^ID\s+TASK\s+ACTION\s+STATUS\s+STARTED\s+DURATION$/);
    expect(table.slice(1).map((row) => row.split(/\s+/).slice(1, 3))).toEqual([
      ['task1', 'core.echo'],
      ['task2', 'core.echo'],
      ['task3', 'core.echo'],
    ]);
  });

  it('refuses to cancel an execution that already ended: says so with its status, exit 1', async () => {
    const done = JSON.parse((await run('run', 'core.echo', 'message=done', '-j')).stdout) as { id: string };
    const cancel = await run('execution', 'cancel', done.id);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr.trim()).toMatch(new RegExp(`^error: already ended: execution ${done.id} - it is succeeded since \\S+, there is nothing to cancel$`));
    expect(cancel.stdout).toBe('');
  });

  it('pages through execution list newest first (--next), bounded by --since, --until and --parent', async () => {
    const since = new Date().toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await run('run', 'core.echo', `message=page ${i}`, '-a')).stdout.trim());
    const first = await run('execution', 'list', '--since', since, '-n', '2', '-j');
    expect((JSON.parse(first.stdout) as Array<{ id: string }>).map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const token = /--next (\S+)$/.exec(first.stderr.trim())?.[1];
    expect(token).toBe(ids[1]);
    const second = await run('execution', 'list', '--since', since, '-n', '2', '--next', token!);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(ids[0]);
    expect(second.stdout).not.toContain(ids[1]);
    expect(second.stdout).not.toContain('next page');
    const before = JSON.parse((await run('execution', 'list', '--until', since, '-n', '1000', '-j')).stdout) as Array<{ id: string }>;
    expect(before.map((e) => e.id)).not.toContain(ids[0]);
    expect(before.length).toBeGreaterThan(0);

    const workflow = JSON.parse((await run('run', 'examples.orquesta-sequential', 'name=Lin', '-j')).stdout) as { id: string };
    const tasks = JSON.parse((await run('execution', 'list', '--parent', workflow.id, '-j')).stdout) as Array<{ context: { task: string } }>;
    expect(tasks.map((t) => t.context.task)).toEqual(['task3', 'task2', 'task1']);
  });

  it('refuses a second actionrunner local in the same folder, naming the running one (exit 2)', async () => {
    const second = await cli(dir, ['local'], cleanEnv());
    expect(second.code).toBe(2);
    const { pid, sqsEndpoint, dynamodbEndpoint, startedAt } = local.discovery();
    expect(second.stderr.trim()).toBe(
      `error: already running: actionrunner local in ${dir} - pid ${pid}, sqs ${sqsEndpoint}, dynamodb ${dynamodbEndpoint}, started at ${startedAt}; use that one, stop it first (kill ${pid}), or start in another folder`,
    );
    expect(local.discovery().pid).toBe(local.child.pid);
  });
});

it('takes over the files of a runtime that died (stale pid), and says so', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ar-stale-'));
  const dead = spawnSync('true').pid!;
  mkdirSync(path.join(dir, '.actionrunner'));
  const startedAt = '2026-01-01T00:00:00.000Z';
  writeFileSync(path.join(dir, '.actionrunner', 'local.lock'), JSON.stringify({ pid: dead, startedAt }));
  writeFileSync(
    path.join(dir, '.actionrunner', 'local.json'),
    JSON.stringify({ pid: dead, startedAt, sqsEndpoint: 'http://127.0.0.1:1', dynamodbEndpoint: 'http://127.0.0.1:2' }),
  );
  const local = await startLocal(dir, [], cleanEnv());
  try {
    expect(local.output().stderr).toContain(
      `taking over .actionrunner/local.json: the runtime it names is gone (pid ${dead}, sqs http://127.0.0.1:1, dynamodb http://127.0.0.1:2, started at ${startedAt})`,
    );
    expect(local.discovery().pid).toBe(local.child.pid);
  } finally {
    expect(await local.stop('SIGTERM')).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }
});
