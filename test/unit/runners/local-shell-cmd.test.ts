import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LocalShellCommandRunner } from '../../../src/runners/local-shell-cmd.ts';
import { treeLeft } from '../process/helpers.ts';
import { action, fixture, request } from './helpers.ts';

const runner = new LocalShellCommandRunner();
const def = action('local-shell-cmd');
const run = (parameters: Record<string, unknown>, overrides = {}) => runner.run(request(def, parameters, overrides));
const work = mkdtempSync(join(tmpdir(), 'local-shell-cmd-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('local-shell-cmd results', () => {
  it('returns `echo 10` as the number 10', async () => {
    const outcome = await run({ cmd: 'echo 10' });
    expect(outcome).toEqual({ status: 'succeeded', result: { failed: false, succeeded: true, return_code: 0, stdout: 10, stderr: '' } });
  });

  it('parses JSON stdout, keeps other text, strips one trailing newline', async () => {
    expect((await run({ cmd: 'echo \'{"a":1}\'' })).result).toMatchObject({ stdout: { a: 1 } });
    expect((await run({ cmd: 'printf "hello\\n\\n"' })).result).toMatchObject({ stdout: 'hello\n' });
  });

  it('fails on a non-zero exit with stderr', async () => {
    const outcome = await run({ cmd: 'echo oops >&2; exit 3' });
    expect(outcome).toEqual({ status: 'failed', result: { failed: true, succeeded: false, return_code: 3, stdout: '', stderr: 'oops' } });
  });

  it('streams output lines to the sink in order', async () => {
    const req = request(def, { cmd: fixture('chatty.sh') });
    await runner.run(req);
    expect(req.output.lines('stdout')).toEqual(['out 1\n', 'out 2\n']);
    expect(req.output.lines('stderr')).toEqual(['err 1\n', 'err 2\n', 'err 3\n']);
  });

  it('refuses sudo', async () => {
    const outcome = await run({ cmd: 'id', sudo: true });
    expect(outcome.status).toBe('failed');
    expect(outcome.result).toMatchObject({ error: expect.stringContaining('sudo is not supported') });
  });

  it('reports truncation when the result is capped', async () => {
    const outcome = await run({ cmd: 'seq 1 100' }, { resultMaxBytes: 4 });
    expect(outcome.result).toMatchObject({ stdout: '1\n2', stdout_truncated: true });
  });
});

describe('local-shell-cmd shell', () => {
  it("runs cmd with bash, as st2's `sudo -u stanley -- bash -c`: bash-isms work instead of failing under dash with exit 0", async () => {
    const outcome = await run({ cmd: 'set -o pipefail; a=(x y); [[ ${#a[@]} == 2 ]] && echo "bash ${BASH_VERSINFO[0]} ${a[1]}"; false | true' });
    expect(outcome).toMatchObject({ status: 'failed', result: { return_code: 1, stdout: expect.stringMatching(/^bash \d+ y$/) } });
  });

  it('never lets a parameter make bash run code before the command: BASH_ENV, SHELLOPTS/PS4, exported functions are dropped', async () => {
    const marker = join(work, 'startup-ran');
    const script = join(work, 'startup.sh');
    writeFileSync(script, `touch ${marker}\n`);
    const env = {
      BASH_ENV: script,
      ENV: script,
      SHELLOPTS: 'xtrace',
      PS4: `$(touch ${marker})`,
      'BASH_FUNC_echo%%': '() { touch ' + marker + '; }',
      KEPT: 'yes',
    };
    const outcome = await run({ cmd: 'echo "$KEPT ${BASH_ENV-unset} ${SHELLOPTS}"', env });
    expect(outcome).toMatchObject({ status: 'succeeded', result: { stdout: expect.stringMatching(/^yes unset /) } });
    expect(existsSync(marker)).toBe(false);
  });
});

describe('local-shell-cmd environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('does not pass the Lambda credentials', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'lambda-role-secret';
    process.env.AWS_SESSION_TOKEN = 'lambda-role-token';
    const outcome = await run({ cmd: 'env | grep AWS_SECRET; env | grep AWS_SESSION; true' });
    expect(outcome.result).toMatchObject({ stdout: '' });
  });

  it('passes them when the action asks (aws_credentials: true)', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'lambda-role-secret';
    const asking = action('local-shell-cmd', { extra: { aws_credentials: true } });
    const outcome = await runner.run(request(asking, { cmd: 'env | grep AWS_SECRET' }));
    expect(outcome.result).toMatchObject({ stdout: 'AWS_SECRET_ACCESS_KEY=lambda-role-secret' });
  });

  it('sets ST2_ACTION_* and the env parameter', async () => {
    const outcome = await run({ cmd: 'echo "$ST2_ACTION_PACK_NAME $ST2_ACTION_EXECUTION_ID $ST2_ACTION_NAME $GREETING"', env: { GREETING: 'hi there', N: 5 } });
    expect(outcome.result).toMatchObject({ stdout: 'tests 01JTESTEXECUTION sample hi there' });
  });

  it('runs in the cwd parameter, else in the temp dir', async () => {
    expect((await run({ cmd: 'pwd', cwd: work })).result).toMatchObject({ stdout: work });
    expect((await run({ cmd: 'pwd' })).result).toMatchObject({ stdout: tmpdir() });
  });

  it('fails clearly on a missing cwd', async () => {
    const outcome = await run({ cmd: 'pwd', cwd: join(work, 'nope') });
    expect(outcome).toMatchObject({ status: 'failed', result: { return_code: null, error: expect.stringContaining('invalid cwd') } });
  });

  it('adds commandEnv, so interpolated values are never parsed by the shell', async () => {
    const marker = join(work, 'injected');
    const value = `$(touch ${marker}); \`touch ${marker}\` "quoted" 'single'`;
    const outcome = await runner.run(request(def, { cmd: 'echo "${ST2_P_message}"' }, { commandEnv: { ST2_P_message: value } }));
    expect(outcome.result).toMatchObject({ stdout: value });
    expect(existsSync(marker)).toBe(false);
  });

  it('masks secret values in output and result', async () => {
    const req = request(def, { cmd: 'echo "password is hunter2"; echo "hunter2" >&2' }, { secretValues: ['hunter2'] });
    const outcome = await runner.run(req);
    expect(outcome.result).toMatchObject({ stdout: 'password is ********', stderr: '********' });
    expect(req.output.text('stdout')).toBe('password is ********\n');
  });
});

describe('local-shell-cmd termination', () => {
  it('times out: status timeout, -9, st2 message, whole tree gone', async () => {
    const pidsFile = join(work, 'pids-timeout');
    const outcome = await run({ cmd: fixture('forks-grandchildren.sh'), env: { PIDS_FILE: pidsFile } }, { timeoutMs: 500 });
    expect(outcome).toEqual({
      status: 'timeout',
      result: { failed: true, succeeded: false, return_code: -9, stdout: 'forked', stderr: '', error: 'Action failed to complete in 0.5 seconds' },
    });
    const left = treeLeft(pidsFile);
    expect(left.pids.length).toBe(4);
    expect(left.alive).toEqual([]);
    expect(left.groupAlive).toEqual([]);
  });

  it('cancels through the AbortSignal: status canceled, -15, tree gone', async () => {
    const pidsFile = join(work, 'pids-cancel');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const outcome = await run({ cmd: fixture('forks-grandchildren.sh'), env: { PIDS_FILE: pidsFile } }, { signal: controller.signal });
    expect(outcome).toMatchObject({ status: 'canceled', result: { return_code: -15, succeeded: false, error: expect.stringContaining('canceled') } });
    const left = treeLeft(pidsFile);
    expect(left.alive).toEqual([]);
    expect(left.groupAlive).toEqual([]);
  });
});
