import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildChildEnv } from '../../../src/process/env.ts';
import { runProcess, type RunProcessOptions } from '../../../src/process/run-process.ts';
import { PIPE_DRAIN_MS } from '../../../src/process/pipes.ts';
import { fixture, isAlive, treeLeft } from './helpers.ts';
import { RecordingSink } from './recording-sink.ts';

const work = mkdtempSync(join(tmpdir(), 'run-process-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function options(overrides: Partial<RunProcessOptions> & Pick<RunProcessOptions, 'file'>): RunProcessOptions {
  return {
    cwd: work,
    env: buildChildEnv(),
    timeoutMs: 10_000,
    killGraceMs: 300,
    output: new RecordingSink(),
    resultMaxBytes: 1 << 20,
    ...overrides,
  };
}

const sh = (script: string, overrides: Partial<RunProcessOptions> = {}) => runProcess(options({ file: '/bin/sh', args: ['-c', script], ...overrides }));
const python = (code: string, overrides: Partial<RunProcessOptions> = {}) => runProcess(options({ file: 'python3', args: ['-c', code], ...overrides }));

describe('runProcess output', () => {
  it('delivers two stdout and three stderr lines as separate lines, in order', async () => {
    const sink = new RecordingSink();
    const result = await runProcess(options({ file: fixture('chatty.sh'), output: sink }));
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, canceled: false, stdout: 'out 1\nout 2\n', stderr: 'err 1\nerr 2\nerr 3\n' });
    expect(sink.lines('stdout')).toEqual(['out 1\n', 'out 2\n']);
    expect(sink.lines('stderr')).toEqual(['err 1\n', 'err 2\n', 'err 3\n']);
    for (const write of sink.writes) expect(write.data.endsWith('\n')).toBe(true);
  });

  it('flushes a final line without newline at the end', async () => {
    const sink = new RecordingSink();
    await sh('printf "a\\nb"', { output: sink });
    expect(sink.text('stdout')).toBe('a\nb');
    expect(sink.writes.at(-1)?.data).toBe('b');
  });

  it('passes exactly 1,000,000 characters through the sink byte-exact', async () => {
    const sink = new RecordingSink();
    // 10,000 lines of 99 characters + "\n", mixing ASCII and multi-byte characters.
    const code = "import sys\nfor i in range(10000):\n    sys.stdout.write(('%05d' % i) + ('é€😀x' * 24)[:94] + '\\n')";
    const result = await python(code, { output: sink, resultMaxBytes: 8 << 20 });
    let expected = '';
    for (let i = 0; i < 10000; i++) expected += String(i).padStart(5, '0') + [...'é€😀x'.repeat(24)].slice(0, 94).join('') + '\n';
    expect([...expected].length).toBe(1_000_000);
    const got = sink.text('stdout');
    expect(got.length).toBe(expected.length);
    expect(got === expected).toBe(true);
    expect(result.stdout === expected).toBe(true);
    for (const write of sink.writes) expect(Buffer.byteLength(write.data)).toBeLessThanOrEqual(64 * 1024);
  });

  it('keeps a multi-byte character split across chunks', async () => {
    const sink = new RecordingSink();
    const code = [
      'import sys, time',
      'for piece in (b"\\xe2", b"\\x82", b"\\xac\\xf0\\x9f", b"\\x98\\x80\\n"):',
      '    sys.stdout.buffer.write(piece); sys.stdout.buffer.flush(); time.sleep(0.05)',
    ].join('\n');
    await python(code, { output: sink });
    expect(sink.text('stdout')).toBe('€😀\n');
  });

  it('survives invalid UTF-8 and binary output (replacement characters)', async () => {
    const sink = new RecordingSink();
    const result = await python('import sys, os\nsys.stdout.buffer.write(b"ok\\xff\\xfe\\n" + os.urandom(200000))', { output: sink });
    expect(result.exitCode).toBe(0);
    expect(sink.text('stdout').startsWith('ok\uFFFD\uFFFD\n')).toBe(true);
  });

  it('passes a line longer than 64 KiB in pieces', async () => {
    const sink = new RecordingSink();
    await python('print("x" * 200000)', { output: sink });
    expect(sink.writes.length).toBeGreaterThan(3);
    for (const write of sink.writes) expect(Buffer.byteLength(write.data)).toBeLessThanOrEqual(64 * 1024);
    expect(sink.text('stdout')).toBe('x'.repeat(200000) + '\n');
  });

  it('keeps only the first resultMaxBytes in the result and says it truncated', async () => {
    const sink = new RecordingSink();
    const result = await sh('seq 1 1000; seq 1 3 >&2', { output: sink, resultMaxBytes: 10 });
    expect(result.stdout).toBe('1\n2\n3\n4\n5\n');
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stderr).toBe('1\n2\n3\n');
    expect(result.stderrTruncated).toBe(false);
    expect(sink.lines('stdout')).toHaveLength(1000);
  });

  it('never cuts a character when truncating', async () => {
    const result = await sh('printf "ab€€"', { resultMaxBytes: 4 });
    expect(result.stdout).toBe('ab');
    expect(result.stdoutTruncated).toBe(true);
  });

  it('applies transform (masking) to what is written and kept', async () => {
    const sink = new RecordingSink();
    const result = await sh('echo "token=s3cr3t"', { output: sink, transform: (_t, text) => text.replaceAll('s3cr3t', '***') });
    expect(sink.text('stdout')).toBe('token=***\n');
    expect(result.stdout).toBe('token=***\n');
  });

  it('feeds stdin when given', async () => {
    const result = await sh('cat', { stdin: 'from stdin\n' });
    expect(result.stdout).toBe('from stdin\n');
  });

  it('blocks the child while the sink is slow (bounded buffering)', async () => {
    const sink = new RecordingSink(15);
    const code = [
      'import sys, time',
      'line = "y" * 1023 + "\\n"',
      'for _ in range(3 * 1024):',
      '    sys.stdout.write(line)',
      'sys.stdout.flush()',
      'sys.stderr.write("%f\\n" % time.time())',
    ].join('\n');
    const started = Date.now();
    const result = await python(code, { output: sink });
    const ended = Date.now();
    const childDoneAt = Number(String(result.stderr).trim()) * 1000;
    expect(sink.text('stdout').length).toBe(3 * 1024 * 1024);
    // In flight at once: at most one write per stream.
    expect(sink.maxInFlight).toBeLessThanOrEqual(2 * 64 * 1024);
    // The child could not write 3 MiB ahead of the sink: it finished late in the run, not at once.
    expect(childDoneAt - started).toBeGreaterThan((ended - started) * 0.5);
  });
});

describe('runProcess termination', () => {
  it('on timeout kills the whole group, TERM-ignoring grandchildren included', async () => {
    const pidsFile = join(work, 'timeout-pids');
    const result = await runProcess(
      options({
        file: fixture('forks-grandchildren.sh'),
        env: buildChildEnv({ extra: { PIDS_FILE: pidsFile } }),
        timeoutMs: 500,
        killGraceMs: 300,
      }),
    );
    expect(result).toMatchObject({ timedOut: true, canceled: false, exitCode: null, stdout: 'forked\n' });
    const left = treeLeft(pidsFile);
    expect(left.pids).toHaveLength(4);
    expect(left.alive).toEqual([]);
    expect(left.groupAlive).toEqual([]);
  });

  it('on abort kills the whole group and reports canceled', async () => {
    const pidsFile = join(work, 'cancel-pids');
    const controller = new AbortController();
    const sink = new RecordingSink();
    const done = runProcess(
      options({
        file: fixture('forks-grandchildren.sh'),
        env: buildChildEnv({ extra: { PIDS_FILE: pidsFile } }),
        signal: controller.signal,
        output: {
          write: (type, data) => {
            if (data.includes('forked')) controller.abort();
            return sink.write(type, data);
          },
        },
      }),
    );
    const result = await done;
    expect(result).toMatchObject({ canceled: true, timedOut: false });
    const left = treeLeft(pidsFile);
    expect(left.alive).toEqual([]);
    expect(left.groupAlive).toEqual([]);
  });

  it('does not start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runProcess(options({ file: fixture('forever.sh'), signal: controller.signal }));
    expect(result).toMatchObject({ canceled: true, exitCode: null });
  });

  it('kills leftovers of a run that ended normally', async () => {
    const pidsFile = join(work, 'leftover-pids');
    const result = await sh(`${fixture('forks-grandchildren.sh')} >/dev/null 2>&1 & sleep 0.3; echo done`, {
      env: buildChildEnv({ extra: { PIDS_FILE: pidsFile } }),
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, stdout: 'done\n' });
    expect(treeLeft(pidsFile).alive).toEqual([]);
  });

  it('reports a program that cannot start', async () => {
    const result = await runProcess(options({ file: 'no-such-program-anywhere' }));
    expect(result.spawnError?.code).toBe('ENOENT');
    expect(result.exitCode).toBeNull();
  });

  it('reports a cwd that does not exist', async () => {
    const result = await sh('true', { cwd: join(work, 'missing') });
    expect(result.spawnError).toEqual({ code: 'INVALID_CWD', message: `invalid cwd: ${join(work, 'missing')} - not an existing directory` });
  });

  it('kills the tree and rethrows when the sink fails', async () => {
    const pidsFile = join(work, 'sink-pids');
    const failing = { write: () => Promise.reject(new Error('store down')) };
    await expect(
      runProcess(
        options({
          file: fixture('forks-grandchildren.sh'),
          env: buildChildEnv({ extra: { PIDS_FILE: pidsFile } }),
          output: failing,
        }),
      ),
    ).rejects.toThrow('store down');
    expect(treeLeft(pidsFile).alive).toEqual([]);
  });
});

describe('runProcess with a descendant that left the group (setsid)', () => {
  const escapees: number[] = [];
  afterEach(() => {
    for (const pid of escapees.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const escapee = (name: string, args: string[], overrides: Partial<RunProcessOptions> = {}) => {
    const pidsFile = join(work, name);
    const run = runProcess(options({ file: fixture('setsid-escapee.sh'), args, env: buildChildEnv({ extra: { PIDS_FILE: pidsFile } }), ...overrides }));
    return run.finally(() =>
      escapees.push(
        ...readFileSync(pidsFile, 'utf8')
          .trim()
          .split('\n')
          .map((line) => Number(line.slice(4))),
      ),
    );
  };

  it('reports the exit status soon after the group is gone, although the escapee holds the pipes', async () => {
    const started = Date.now();
    const result = await escapee('escapee-ok', []);
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, canceled: false, stdout: 'started\n' });
    expect(Date.now() - started).toBeLessThan(2000 + PIPE_DRAIN_MS);
    // Out of reach, and still running: only the wait for it ended.
    expect(escapees.filter(isAlive)).toHaveLength(1);
  });

  it('ends a timeout once the group is killed, without waiting for the escapee', async () => {
    const started = Date.now();
    const result = await escapee('escapee-timeout', ['1000'], { timeoutMs: 500, killGraceMs: 300 });
    expect(result).toMatchObject({ timedOut: true, stdout: 'started\n' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('ends a cancel once the group is killed, without waiting for the escapee', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const result = await escapee('escapee-cancel', ['1000'], {
      signal: controller.signal,
      output: {
        write: async (_type, data) => {
          if (data.includes('started')) controller.abort();
        },
      },
    });
    expect(result).toMatchObject({ canceled: true, timedOut: false });
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
