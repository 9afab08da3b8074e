import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isWorkflowRunner, loadActions, resolveParameters } from '../../../src/actions/index.ts';
import { DatastoreSnapshot } from '../../../src/datastore/index.ts';

const catalog = loadActions();
/** The keys examples.st2kv-login reads. */
const datastore = new DatastoreSnapshot('stanley', {
  system: new Map([
    ['login_user', { value: 'ann', secret: false }],
    ['login_password', { value: 'sealed', secret: true, plaintext: 'pw' }],
  ]),
});

/** Minimal valid parameters for each shipped non-workflow action. */
const SAMPLE: Record<string, Record<string, unknown>> = {
  'core.local': { cmd: 'echo hi' },
  'core.echo': { message: 'hello' },
  'core.http': { url: 'http://127.0.0.1/' },
  'core.pause': { max_pause: '1' },
  'core.remote': { hosts: 'web1', cmd: 'uptime' },
  'examples.greet': { name: 'Ann' },
  'examples.shell_args': { first: 'one' },
};

describe('shipped packs', () => {
  const actions = catalog.list().filter((a) => a.enabled && !isWorkflowRunner(a.runner_type));

  it('ship every runner', () => {
    const runners = new Set(actions.map((a) => a.runner_type));
    for (const runner of ['local-shell-cmd', 'local-shell-script', 'python-script', 'node-script', 'noop', 'http-request', 'remote-shell-cmd']) expect(runners).toContain(runner);
  });

  it.each(actions.map((a) => a.ref))('%s resolves its parameters', (ref) => {
    const action = catalog.getRunnable(ref);
    const { values } = resolveParameters(action, SAMPLE[ref] ?? {}, { datastore });
    for (const [name, spec] of Object.entries(action.parameters)) {
      if (spec.default !== undefined) expect(values, name).toHaveProperty(name);
    }
    if (action.parameters.timeout) expect(Number.isInteger(values.timeout)).toBe(true);
  });

  it('examples.shell_args prints the arguments it gets', () => {
    const script = catalog.getRunnable('examples.shell_args').entryPointPath as string;
    const result = spawnSync(script, ['--name=world', '--verbose', 'one', '2', 'a,b'], { encoding: 'utf8' });
    expect(result.stdout).toBe('argc=5\nargv[1]=--name=world\nargv[2]=--verbose\nargv[3]=one\nargv[4]=2\nargv[5]=a,b\n');
  });

  it('examples.shell_args declares named and positional parameters of every type', () => {
    const params = catalog.getRunnable('examples.shell_args').parameters;
    const types = new Set(Object.values(params).map((p) => p.type));
    for (const type of ['string', 'integer', 'number', 'boolean', 'array', 'object']) expect(types).toContain(type);
    expect(Object.values(params).filter((p) => p.position !== undefined)).toHaveLength(3);
    expect(resolveParameters(catalog.getRunnable('examples.shell_args'), { first: 'x', token: 't' }).secretNames).toContain('token');
  });

  it('examples.node_hello exports run(params, context)', async () => {
    const module = (await import(pathToFileURL(catalog.getRunnable('examples.node_hello').entryPointPath as string).href)) as {
      run: (params: Record<string, unknown>, context: Record<string, unknown>) => Promise<unknown>;
    };
    const { values } = resolveParameters(catalog.getRunnable('examples.node_hello'), { shout: 'true' });
    await expect(module.run(values, { executionId: 'e1' })).resolves.toEqual({ greeting: 'HELLO, WORLD!', executionId: 'e1' });
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  it.skipIf(!python)('python actions are valid Python', () => {
    for (const ref of ['core.pause', 'examples.python_hello']) {
      const file = catalog.getRunnable(ref).entryPointPath as string;
      const result = spawnSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', file], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
    }
  });
});
