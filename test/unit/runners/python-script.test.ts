import { describe, expect, it } from 'vitest';
import { PythonScriptRunner } from '../../../src/runners/python-script.ts';
import { RESULT_DELIMITER } from '../../../src/runners/result-block.ts';
import { action, request } from './helpers.ts';

const runner = new PythonScriptRunner();

describe('python-script', () => {
  it("runs Action.run(**params) and returns st2's result shape", async () => {
    const def = action('python-script', { entry: 'python/echo_action.py' });
    const req = request(def, { message: 'héllo', timeout: 600, log_level: 'INFO' }, { packConfig: { api: 'x' } });
    const outcome = await runner.run(req);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.result).toMatchObject({
      result: { message: 'héllo', count: 1, config: { api: 'x' }, unicode: 'héllo €' },
      stdout: 'about to echo\n',
      exit_code: 0,
    });
    const { stderr } = outcome.result as { stderr: string };
    expect(stderr).toContain('to stderr\n');
    expect(stderr).toContain('INFO [-] logged héllo');
    expect(req.output.text('stdout')).toBe('about to echo\n');
    expect(req.output.writes.some((w) => w.data.includes(RESULT_DELIMITER.trim()))).toBe(false);
  });

  it('keeps output written without a newline before the result block', async () => {
    const def = action('python-script', { entry: 'python/no_newline.py' });
    const req = request(def, {});
    const outcome = await runner.run(req);
    expect(outcome).toMatchObject({ status: 'succeeded', result: { result: 42, stdout: 'partial line without newline' } });
    expect(req.output.text('stdout')).toBe('partial line without newline');
  });

  it('fails on a (False, result) tuple', async () => {
    const outcome = await runner.run(request(action('python-script', { entry: 'python/status_false.py' }), {}));
    expect(outcome).toMatchObject({ status: 'failed', result: { result: { reason: 'it did not work' }, exit_code: 0 } });
  });

  it('fails on an exception with the traceback in error and stderr', async () => {
    const outcome = await runner.run(request(action('python-script', { entry: 'python/raises.py' }), {}));
    expect(outcome.status).toBe('failed');
    const result = outcome.result as { error: string; stderr: string; exit_code: number; result: unknown };
    expect(result.exit_code).toBe(1);
    expect(result.result).toBeNull();
    expect(result.error).toContain('Traceback');
    expect(result.error).toContain('RuntimeError: boom from python');
    expect(result.stderr).toContain('RuntimeError: boom from python');
  });

  it("calls run() with every declared parameter, unset ones as None, runner parameters left out (st2's)", async () => {
    const def = action('python-script', {
      entry: 'python/optional_args.py',
      parameters: { name: { type: 'string', required: true }, description: { type: 'string' }, count: { type: 'integer' }, timeout: { type: 'integer' } },
    });
    const outcome = await runner.run(request(def, { name: 'n', timeout: 600, log_level: 'INFO' }));
    expect(outcome).toMatchObject({ status: 'succeeded', result: { result: { name: 'n', description: null, count: null } } });
  });

  it('provides the st2common helpers packs import: isotime, date, shell.quote_unix, exceptions, constants.action', async () => {
    const outcome = await runner.run(request(action('python-script', { entry: 'python/st2_helpers.py' }), {}));
    expect(outcome).toMatchObject({
      status: 'succeeded',
      result: {
        result: {
          status: 'succeeded',
          format: '2024-05-06T07:08:09.123456Z',
          format_plain: '2024-05-06T07:08:09',
          parsed: '2024-05-06T07:08:09+00:00',
          quoted: `'it'"'"'s'`,
          base: true,
        },
      },
    });
  });

  it('fails an import of an st2 module it lacks naming the module and the st2 feature', async () => {
    const outcome = await runner.run(request(action('python-script', { entry: 'python/st2_datastore.py' }), {}));
    expect(outcome.status).toBe('failed');
    expect((outcome.result as { error: string }).error).toContain(
      "ModuleNotFoundError: No module named 'st2common.services.datastore': st2's datastore service (there is no st2 datastore here; use self.action_service) is not available to python-script actions here",
    );
  });

  it('names the runner, python3 and the container image when python3 is missing', async () => {
    const def = action('python-script', { entry: 'python/echo_action.py' });
    const missing = await new PythonScriptRunner({ pythonBinary: 'python3-not-installed' }).run(request(def, { message: 'x' }));
    expect(missing).toMatchObject({ status: 'failed', result: { error: expect.stringContaining('runner python-script needs python3, which was not found') } });
    const noPath = await runner.run(request(def, { message: 'x', env: { PATH: '/nonexistent' } }));
    expect(noPath).toMatchObject({ status: 'failed', result: { error: expect.stringContaining('runner python-script needs python3, which was not found') } });
  });

  it("times out with -9 and st2's message", async () => {
    const def = action('python-script', { entry: 'python/sleeps.py' });
    const outcome = await runner.run(request(def, {}, { timeoutMs: 1500 }));
    expect(outcome).toEqual({
      status: 'timeout',
      result: { result: null, stdout: 'sleeping\n', stderr: '', exit_code: -9, error: 'Action failed to complete in 1.5 seconds' },
    });
  });
});
