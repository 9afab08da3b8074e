import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../src/model/errors.ts';
import { InvalidActionMetadataError, defaultPacksDir, loadActions, resolveParameters } from '../../../src/actions/index.ts';
import { PacksFixture } from './pack-fixture.ts';

const repoPacks = path.resolve(import.meta.dirname, '../../../packs');

describe('defaultPacksDir', () => {
  it('finds the packs folder of this project by walking up from the module', () => {
    expect(defaultPacksDir()).toBe(repoPacks);
  });
});

describe('loadActions: shipped packs', () => {
  const catalog = loadActions();

  it('loads core and examples', () => {
    const refs = catalog.list().map((a) => a.ref);
    for (const ref of ['core.local', 'core.echo', 'core.noop', 'core.pause', 'examples.shell_args', 'examples.python_hello',
      'examples.node_hello', 'examples.greet', 'examples.noop', 'examples.sleep']) {
      expect(refs).toContain(ref);
    }
  });

  it('merges runner parameters into each action, with the action overrides', () => {
    const echo = catalog.get('core.echo');
    expect(echo).toMatchObject({ ref: 'core.echo', pack: 'core', runner_type: 'local-shell-cmd', enabled: true, packPath: path.join(repoPacks, 'core') });
    expect(echo?.parameters.cmd).toMatchObject({ type: 'string', immutable: true, default: 'echo "{{message}}"' });
    expect(echo?.parameters.timeout).toMatchObject({ type: 'integer', default: 60 });
    expect(echo?.parameters.sudo_password).toMatchObject({ secret: true, immutable: true });
    expect(catalog.get('core.local_sudo')?.runner_type).toBe('local-shell-cmd'); // st2 alias run-local
    expect(catalog.get('examples.python_hello')?.entryPointPath).toBe(path.join(repoPacks, 'examples/actions/python_hello.py'));
  });

  it('lists disabled actions but refuses to run them', () => {
    const disabled = catalog.get('examples.disabled');
    expect(disabled?.enabled).toBe(false);
    expect(() => catalog.getRunnable('examples.disabled')).toThrow(
      `action disabled: examples.disabled - set "enabled: true" in ${path.join(repoPacks, 'examples/actions/disabled.yaml')} to run it`);
    expect(() => resolveParameters(disabled!, {})).toThrow(ValidationError);
    expect(() => catalog.getRunnable('core.nope')).toThrow(NotFoundError);
    expect(() => catalog.getRunnable('core.nope')).toThrow('action not found: core.nope');
  });
});

describe('loadActions: metadata errors', () => {
  let packs: PacksFixture;
  beforeEach(() => {
    packs = new PacksFixture();
  });
  afterEach(() => packs.remove());

  function loadError(files: Record<string, string>, pack = 'x'): InvalidActionMetadataError {
    packs.pack(pack, files);
    try {
      loadActions({ packsDir: null, packsPaths: [packs.dir] });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidActionMetadataError);
      return error as InvalidActionMetadataError;
    }
    throw new Error('expected loadActions to fail');
  }

  it('names the file and the field of an unknown runner_type', () => {
    const error = loadError({ 'actions/y.yaml': 'name: y\nrunner_type: bogus\n' });
    expect(error.message).toBe(`invalid action metadata: ${packs.file('x', 'actions/y.yaml')} - field "runner_type": `
      + 'expected one of local-shell-cmd, local-shell-script, python-script, node-script, noop, orquesta, run-local, run-local-script, run-python, orchestra, got "bogus"');
    expect(error.field).toBe('runner_type');
  });

  it.each([
    ['name missing', 'runner_type: noop\n', 'field "name": expected a non-empty name'],
    ['runner_type missing', 'name: y\n', 'field "runner_type": expected a string, got nothing'],
    ['pack mismatch', 'name: y\npack: other\nrunner_type: noop\n', 'field "pack": expected "x" (the pack folder it is in), got "other"'],
    ['enabled not boolean', 'name: y\nrunner_type: noop\nenabled: "yes"\n', 'field "enabled": expected a boolean, got "yes"'],
    ['entry_point missing', 'name: y\nrunner_type: python-script\n', 'field "entry_point": expected a file next to the metadata (required by runner python-script)'],
    ['entry_point absent', 'name: y\nrunner_type: local-shell-script\nentry_point: nope.sh\n', 'field "entry_point": file not found: '],
    ['entry_point escaping', 'name: y\nrunner_type: node-script\nentry_point: ../../../etc/passwd\n', 'field "entry_point": expected a path inside'],
    ['bad parameter type', 'name: y\nrunner_type: noop\nparameters:\n  a:\n    type: int\n', 'field "parameters.a.type": expected one of string, integer'],
    ['parameter not an object', 'name: y\nrunner_type: noop\nparameters:\n  a: 3\n', 'field "parameters.a": expected an object, got 3'],
    ['required not boolean', 'name: y\nrunner_type: noop\nparameters:\n  a:\n    required: "no"\n', 'field "parameters.a.required": expected a boolean, got "no"'],
    ['unknown field', 'name: y\nrunner_type: noop\nparamters: {}\n', 'field "paramters": unknown field'],
    ['not a mapping', '- a\n', 'expected a mapping, got ["a"]'],
    ['invalid yaml', 'name: [\n', 'not valid YAML'],
    ['immutable without default', 'name: y\nrunner_type: noop\nparameters:\n  a:\n    type: string\n    immutable: true\n', 'field "parameters.a.default": immutable parameter "a" requires a default value'],
    ['duplicate position', 'name: y\nrunner_type: noop\nparameters:\n  a:\n    position: 0\n  b:\n    position: 0\n', 'field "parameters.b.position": position 0 is already used by "a"'],
  ])('%s', (_label, yaml, expected) => {
    const error = loadError({ 'actions/y.yaml': yaml });
    expect(error.message).toContain(`invalid action metadata: ${packs.file('x', 'actions/y.yaml')} - `);
    expect(error.message).toContain(expected);
  });

  it('lets an action override only default, description, enum, immutable, required of a runner parameter', () => {
    const error = loadError({ 'actions/y.yaml': 'name: y\nrunner_type: local-shell-cmd\nparameters:\n  timeout:\n    type: string\n' });
    expect(error.message).toBe(`invalid action metadata: ${packs.file('x', 'actions/y.yaml')} - field "parameters.timeout.type": `
      + 'the attribute "type" of the runner parameter "timeout" cannot be overridden (only default, description, enum, immutable, required can)');
    expect(loadError({ 'actions/y.yaml': 'name: y\nrunner_type: local-shell-cmd\nparameters:\n  sudo_password:\n    secret: false\n' }).message)
      .toContain('the attribute "secret" of the runner parameter "sudo_password" cannot be overridden');
  });

  it('accepts allowed overrides and repeating a runner attribute unchanged', () => {
    packs.pack('x', {
      'actions/y.yaml': 'name: y\nrunner_type: local-shell-cmd\nparameters:\n  timeout:\n    type: integer\n    default: 5\n    description: short\n'
        + '  cmd:\n    type: string\n    required: true\n    enum: [ls, pwd]\n',
    });
    const y = loadActions({ packsDir: null, packsPaths: [packs.dir] }).get('x.y');
    expect(y?.parameters.timeout).toEqual({ type: 'integer', default: 5, description: 'short' });
    expect(y?.parameters.cmd).toMatchObject({ required: true, enum: ['ls', 'pwd'] });
  });

  it('rejects two actions with one name in a pack, and one pack in two folders', () => {
    expect(loadError({ 'actions/a.yaml': 'name: y\nrunner_type: noop\n', 'actions/b.yaml': 'name: y\nrunner_type: noop\n' }).message)
      .toContain('field "name": action "y" is already defined in');
    const other = new PacksFixture();
    try {
      other.pack('core', { 'actions/z.yaml': 'name: z\nrunner_type: noop\n' });
      expect(() => loadActions({ packsPaths: [other.dir] })).toThrow(/^duplicate pack: core - found in .* and /);
    } finally {
      other.remove();
    }
  });
});

describe('loadActions: extra pack folders (ACTIONRUNNER_PACKS_PATH)', () => {
  let packs: PacksFixture;
  beforeEach(() => {
    packs = new PacksFixture();
  });
  afterEach(() => packs.remove());

  it('loads packs of every extra folder next to the shipped ones', () => {
    packs.pack('mypack', {
      'pack.yaml': 'ref: mypack\nname: mypack\n',
      'actions/hello.yml': 'name: hello\nrunner_type: local-shell-script\nentry_point: scripts/hello.sh\nparameters:\n  who:\n    type: string\n    default: you\n',
      'actions/scripts/hello.sh': '#!/bin/sh\necho "hello $1"\n',
      'actions/README.md': 'not metadata',
    });
    const catalog = loadActions({ packsPaths: [packs.dir, packs.dir] });
    const hello = catalog.get('mypack.hello');
    expect(hello).toMatchObject({ pack: 'mypack', entry_point: 'scripts/hello.sh', entryPointPath: packs.file('mypack', 'actions/scripts/hello.sh') });
    expect(resolveParameters(hello!, {}).values).toMatchObject({ who: 'you', timeout: 60, kwarg_op: '--' });
    expect(catalog.get('core.echo')).toBeDefined();
  });

  it('fails on a missing folder', () => {
    expect(() => loadActions({ packsDir: null, packsPaths: ['/nonexistent/packs'] })).toThrow('packs folder not found: /nonexistent/packs');
  });
});
