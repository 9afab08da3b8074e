import { describe, expect, it } from 'vitest';
import { LocalShellScriptRunner, scriptInvocation } from '../../../src/runners/local-shell-script.ts';
import { action, request } from './helpers.ts';

const runner = new LocalShellScriptRunner();

describe('local-shell-script', () => {
  it('passes st2 positional values as single arguments', async () => {
    const def = action('local-shell-script', {
      entry: 'args.sh',
      parameters: {
        p1: { type: 'string', position: 0 },
        p2: { type: 'integer', position: 1 },
        p3: { type: 'number', position: 2 },
        p4: { type: 'boolean', position: 3 },
        p5: { type: 'array', position: 4 },
        p6: { type: 'object', position: 5 },
        timeout: { type: 'integer', default: 60 },
      },
    });
    const outcome = await runner.run(
      request(def, {
        p1: 'test string',
        p2: 1,
        p3: 2.55,
        p4: true,
        p5: ['a', 'b', 'c'],
        p6: { foo: 'bar' },
        timeout: 60,
        kwarg_op: '--',
        cwd: null,
        env: {},
      }),
    );
    expect(outcome).toEqual({
      status: 'succeeded',
      result: {
        failed: false,
        succeeded: true,
        return_code: 0,
        stderr: '',
        stdout: '[test string]\n[1]\n[2.55]\n[1]\n[a,b,c]\n[{"foo":"bar"}]',
      },
    });
  });

  it('puts named arguments before positional ones, with kwarg_op, without runner parameters', async () => {
    const def = action('local-shell-script', { entry: 'args.sh', parameters: { target: { type: 'string', position: 0 } } });
    const outcome = await runner.run(
      request(def, {
        target: 'host; rm -rf /',
        message: '$(whoami) "q"',
        force: true,
        dry: false,
        kwarg_op: '-',
        sudo: false,
        timeout: 5,
      }),
    );
    expect(outcome.result).toMatchObject({ stdout: '[-message=$(whoami) "q"]\n[-force]\n[host; rm -rf /]' });
  });

  it("passes no runner parameter as an argument: debug (st2's) stays out, an action's own cmd goes in", async () => {
    const def = action('local-shell-script', { entry: 'args.sh' });
    const outcome = await runner.run(request(def, { debug: true, cmd: 'mine', kwarg_op: '--', timeout: 5, env: {} }));
    expect(outcome.result).toMatchObject({ stdout: '[--cmd=mine]' });
  });

  it('runs a script without the executable bit through its shebang interpreter', async () => {
    const def = action('local-shell-script', { entry: 'no-exec-bit.sh' });
    expect(await scriptInvocation(def.entryPointPath!)).toEqual({ file: '/bin/sh', args: [def.entryPointPath] });
    const outcome = await runner.run(request(def, { a: 'x' }));
    expect(outcome).toMatchObject({ status: 'succeeded', result: { stdout: `ran via ${def.entryPointPath} with 1 args` } });
  });

  it('runs a script without shebang nor executable bit through bash, as st2 does', async () => {
    const def = action('local-shell-script', { entry: 'no-shebang.txt', parameters: { word: { position: 0 } } });
    expect(await scriptInvocation(def.entryPointPath!)).toEqual({ file: '/bin/bash', args: [def.entryPointPath] });
    const outcome = await runner.run(request(def, { word: 'hello' }));
    expect(outcome.result).toMatchObject({ stdout: 'no shebang: hello' });
  });

  it("runs a script whose shebang is st2's own python (absent here) with the pack's python", async () => {
    const def = action('local-shell-script', { entry: 'st2-python-shebang.py', parameters: { word: { position: 0 } } });
    expect(await scriptInvocation(def.entryPointPath!)).toEqual({ file: 'python3', args: [def.entryPointPath] });
    const outcome = await runner.run(request(def, { word: 'hello' }));
    expect(outcome).toMatchObject({ status: 'succeeded', result: { stdout: 'st2 python script: hello' } });
  });

  it('fails clearly on a missing entry point', async () => {
    const def = action('local-shell-script', { entry: 'does-not-exist.sh' });
    const outcome = await runner.run(request(def, {}));
    expect(outcome).toMatchObject({ status: 'failed', result: { error: expect.stringContaining('entry point not found: tests.sample') } });
  });
});
