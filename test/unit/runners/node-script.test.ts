import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { nativeTypeStripping, NodeScriptRunner } from '../../../src/runners/node-script.ts';
import { action, request } from './helpers.ts';

const runner = new NodeScriptRunner();

describe('node-script', () => {
  it('awaits run(params, context) of an .mjs module', async () => {
    const req = request(action('node-script', { entry: 'node/hello.mjs' }), { name: 'Ada', timeout: 60, env: {} }, { packConfig: { region: 'eu' } });
    const outcome = await runner.run(req);
    expect(outcome).toEqual({
      status: 'succeeded',
      result: {
        result: { greeting: 'hi Ada', context: { executionId: '01JTESTEXECUTION', action: 'tests.sample', pack: 'tests', config: { region: 'eu' } } },
        stdout: 'hello from node\n',
        stderr: 'a warning\n',
        exit_code: 0,
      },
    });
    expect(req.output.text('stdout')).toBe('hello from node\n');
  });

  it('runs in the cwd runner parameter and gives the module only its own parameters', async () => {
    const dir = realpathSync(tmpdir());
    const def = action('node-script', { entry: 'node/cwd.mjs', parameters: { cwd: { type: 'string' }, name: { type: 'string' } } });
    const outcome = await runner.run(request(def, { cwd: dir, env: {}, timeout: 60, name: 'Ada' }));
    expect(outcome).toMatchObject({ status: 'succeeded', result: { result: { cwd: dir, params: { name: 'Ada' } } } });
  });

  it('runs a TypeScript module (native type stripping or tsx)', async () => {
    const outcome = await runner.run(request(action('node-script', { entry: 'node/hello.ts' }), { name: 'Ada' }));
    expect(outcome).toMatchObject({ status: 'succeeded', result: { result: { greeting: 'hi Ada from ts', pack: 'tests' }, stdout: 'hi Ada from ts\n' } });
  });

  it('runs a CommonJS module', async () => {
    const outcome = await runner.run(request(action('node-script', { entry: 'node/commonjs.cjs' }), { n: 21 }));
    expect(outcome).toMatchObject({ status: 'succeeded', result: { result: { doubled: 42 } } });
  });

  it('fails with message and stack when run() throws', async () => {
    const outcome = await runner.run(request(action('node-script', { entry: 'node/throws.mjs' }), {}));
    expect(outcome).toMatchObject({
      status: 'failed',
      result: { result: null, stdout: 'before the error\n', exit_code: 1, error: { message: 'boom from node', stack: expect.stringContaining('throws.mjs') } },
    });
    expect((outcome.result as { stderr: string }).stderr).toContain('Error: boom from node');
  });

  it('says clearly when TypeScript cannot be loaded', async () => {
    const old = new NodeScriptRunner({ nodeVersion: '20.19.0', tsLoader: null });
    const outcome = await old.run(request(action('node-script', { entry: 'node/hello.ts' }), {}));
    expect(outcome).toMatchObject({ status: 'failed', result: { error: expect.stringContaining('cannot load TypeScript') } });
  });

  it('knows which node versions strip types', () => {
    expect(nativeTypeStripping('20.19.0')).toBe(false);
    expect(nativeTypeStripping('22.17.1')).toBe(false);
    expect(nativeTypeStripping('22.18.0')).toBe(true);
    expect(nativeTypeStripping('23.6.0')).toBe(true);
    expect(nativeTypeStripping('24.0.0')).toBe(true);
  });
});
