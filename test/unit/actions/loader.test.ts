import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../src/model/errors.ts';
import { InvalidActionMetadataError, MAX_METADATA_BYTES, defaultPacksDir, loadActions, resolveParameters } from '../../../src/actions/index.ts';
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
    for (const ref of [
      'core.local',
      'core.echo',
      'core.noop',
      'core.pause',
      'examples.shell_args',
      'examples.python_hello',
      'examples.node_hello',
      'examples.greet',
      'examples.noop',
      'examples.sleep',
    ]) {
      expect(refs).toContain(ref);
    }
  });

  it('merges runner parameters into each action, with the action overrides', () => {
    const echo = catalog.get('core.echo');
    expect(echo).toMatchObject({ ref: 'core.echo', pack: 'core', runner_type: 'local-shell-cmd', enabled: true, packPath: path.join(repoPacks, 'core') });
    expect(echo?.parameters.cmd).toMatchObject({ type: 'string', immutable: true, default: 'echo "{{message}}"' });
    expect(echo?.parameters.timeout).toMatchObject({ type: 'integer', default: 60 });
    expect(echo?.parameters.sudo_password).toMatchObject({ secret: true, immutable: true });
    expect(catalog.get('examples.python_hello')?.entryPointPath).toBe(path.join(repoPacks, 'examples/actions/python_hello.py'));
  });

  it('does not offer core.local_sudo (sudo is immutable true and refused here): unavailable with the reason', () => {
    expect(catalog.get('core.local_sudo')).toBeUndefined();
    expect(catalog.list().map((a) => a.ref)).not.toContain('core.local_sudo');
    const file = path.join(repoPacks, 'core/actions/local_sudo.yaml');
    expect(catalog.unavailable('core.local_sudo')).toEqual({
      ref: 'core.local_sudo',
      file,
      field: 'parameters.sudo',
      reason: `sudo is not supported: actions run as the function's own user (no sudo in AWS Lambda) - set sudo to false (it is immutable true in ${file})`,
    });
    expect(() => catalog.getRunnable('core.local_sudo')).toThrow(/^action unavailable: core\.local_sudo - sudo is not supported/);
    expect(catalog.listUnavailable().map((u) => u.ref)).toEqual(['core.local_sudo', 'core.remote_sudo']);
  });

  it('offers python-script actions only where python3 is: without it they are unavailable, naming runner, interpreter and fix', () => {
    const withoutPython = loadActions({ interpreters: { python3: null, bash: '/bin/bash', sh: '/bin/sh' } });
    expect(withoutPython.get('examples.python_hello')).toBeUndefined();
    expect(withoutPython.get('core.local')).toBeDefined();
    const file = path.join(repoPacks, 'examples/actions/python_hello.yaml');
    expect(withoutPython.unavailable('examples.python_hello')).toMatchObject({ ref: 'examples.python_hello', file, field: 'runner_type' });
    expect(() => withoutPython.getRunnable('core.pause')).toThrow(
      /^action unavailable: core\.pause - runner python-script needs python3, which is not on PATH where the actions run - deploy the actions function as the container image .*actionsImage/,
    );
    const withoutShell = loadActions({ interpreters: { python3: '/usr/bin/python3', bash: null, sh: null } });
    expect(withoutShell.unavailable('core.local')?.reason).toMatch(/^runner local-shell-cmd needs bash or sh, which is not on PATH/);
    expect(loadActions({ interpreters: { python3: null, bash: null, sh: '/bin/sh' } }).get('core.local')).toBeDefined();
  });

  it('lists disabled actions but refuses to run them', () => {
    const disabled = catalog.get('examples.disabled');
    expect(disabled?.enabled).toBe(false);
    expect(() => catalog.getRunnable('examples.disabled')).toThrow(
      `action disabled: examples.disabled - set "enabled: true" in ${path.join(repoPacks, 'examples/actions/disabled.yaml')} to run it`,
    );
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

  /** Loads a pack with `files` next to a good action, and returns the problem recorded for `ref`. */
  function loadError(files: Record<string, string>, pack = 'x', ref = 'x.y'): InvalidActionMetadataError {
    packs.pack(pack, { ...files, 'actions/zz_good.yaml': 'name: zz_good\nrunner_type: noop\n' });
    const catalog = loadActions({ packsDir: null, packsPaths: [packs.dir] });
    // The bad file costs only its own action.
    expect(catalog.get(`${pack}.zz_good`)).toBeDefined();
    const problem = catalog.unavailable(ref);
    if (!problem) throw new Error(`expected ${ref} to be unavailable, got ${JSON.stringify(catalog.listUnavailable())}`);
    expect(catalog.get(ref)).toBeUndefined();
    expect(() => catalog.getRunnable(ref)).toThrow(`action unavailable: ${ref} - ${problem.reason}`);
    return new InvalidActionMetadataError(problem.file, problem.field, problem.reason.replace(/^invalid action metadata: [^ ]+ - (field "[^"]*": )?/, ''));
  }

  it('refuses null for a required field (name, runner_type), while null for an optional one is as if absent', () => {
    expect(loadError({ 'actions/y.yaml': 'name: y\nrunner_type:\n' }).message).toBe(
      `invalid action metadata: ${packs.file('x', 'actions/y.yaml')} - field "runner_type": expected a string, got null`,
    );
    const error = loadError({ 'actions/y.yaml': 'name:\nrunner_type: noop\n' });
    expect(error.field).toBe('name');
    expect(error.message).toContain('got null');
    packs.pack('z', { 'actions/n.yaml': 'name: n\nrunner_type: noop\ndescription:\nparameters:\nentry_point:\nenabled:\n' });
    expect(loadActions({ packsDir: null, packsPaths: [packs.dir] }).get('z.n')).toMatchObject({ description: '', enabled: true, parameters: {} });
  });

  it('names the file and the field of an unknown runner_type', () => {
    const error = loadError({ 'actions/y.yaml': 'name: y\nrunner_type: bogus\n' });
    expect(error.message).toBe(
      `invalid action metadata: ${packs.file('x', 'actions/y.yaml')} - field "runner_type": ` +
        'expected one of local-shell-cmd, local-shell-script, python-script, node-script, remote-shell-cmd, remote-shell-script, noop, http-request, action-chain, inquirer, orquesta, run-local, run-local-script, run-python, run-remote, run-remote-script, orchestra, got "bogus"',
    );
    expect(error.field).toBe('runner_type');
  });

  it.each([
    ['name missing', 'runner_type: noop\n', 'field "name": expected a non-empty name'],
    ['runner_type missing', 'name: y\n', 'field "runner_type": expected a string, got nothing'],
    ['pack mismatch', 'name: y\npack: other\nrunner_type: noop\n', 'field "pack": expected "x" (the pack folder it is in), got "other"'],
    ['enabled not boolean', 'name: y\nrunner_type: noop\nenabled: "yes"\n', 'field "enabled": expected a boolean, got "yes"'],
    [
      'entry_point missing',
      'name: y\nrunner_type: python-script\n',
      'field "entry_point": expected a file next to the metadata (required by runner python-script)',
    ],
    ['entry_point absent', 'name: y\nrunner_type: local-shell-script\nentry_point: nope.sh\n', 'field "entry_point": file not found: '],
    ['entry_point escaping', 'name: y\nrunner_type: node-script\nentry_point: ../../../etc/passwd\n', 'field "entry_point": expected a path inside'],
    ['bad parameter type', 'name: y\nrunner_type: noop\nparameters:\n  a:\n    type: int\n', 'field "parameters.a.type": expected one of string, integer'],
    ['parameter not an object', 'name: y\nrunner_type: noop\nparameters:\n  a: 3\n', 'field "parameters.a": expected an object, got 3'],
    [
      'required not boolean',
      'name: y\nrunner_type: noop\nparameters:\n  a:\n    required: "no"\n',
      'field "parameters.a.required": expected a boolean, got "no"',
    ],
    ['unknown field', 'name: y\nrunner_type: noop\nparamters: {}\n', 'field "paramters": unknown field'],
    ['not a mapping', '- a\n', 'expected a mapping, got ["a"]'],
    ['invalid yaml', 'name: [\n', 'not valid YAML'],
    [
      'immutable without default',
      'name: y\nrunner_type: noop\nparameters:\n  a:\n    type: string\n    immutable: true\n',
      'field "parameters.a.default": immutable parameter "a" requires a default value',
    ],
    [
      'duplicate position',
      'name: y\nrunner_type: noop\nparameters:\n  a:\n    position: 0\n  b:\n    position: 0\n',
      'field "parameters.b.position": position 0 is already used by "a"',
    ],
  ])('%s', (_label, yaml, expected) => {
    const error = loadError({ 'actions/y.yaml': yaml });
    expect(error.message).toContain(`invalid action metadata: ${packs.file('x', 'actions/y.yaml')} - `);
    expect(error.message).toContain(expected);
  });

  it('lets an action override only default, description, enum, immutable, required of a runner parameter', () => {
    const error = loadError({ 'actions/y.yaml': 'name: y\nrunner_type: local-shell-cmd\nparameters:\n  timeout:\n    type: string\n' });
    expect(error.message).toBe(
      `invalid action metadata: ${packs.file('x', 'actions/y.yaml')} - field "parameters.timeout.type": ` +
        'the attribute "type" of the runner parameter "timeout" cannot be overridden (only default, description, enum, immutable, required can)',
    );
    expect(loadError({ 'actions/y.yaml': 'name: y\nrunner_type: local-shell-cmd\nparameters:\n  sudo_password:\n    secret: false\n' }).message).toContain(
      'the attribute "secret" of the runner parameter "sudo_password" cannot be overridden',
    );
  });

  it("takes node-script's cwd as a runner parameter: a string, its type not overridable", () => {
    packs.pack('x', {
      'actions/n.yaml': 'name: n\nrunner_type: node-script\nentry_point: n.mjs\nparameters:\n  cwd:\n    default: /tmp\n',
      'actions/n.mjs': '',
    });
    expect(loadActions({ packsDir: null, packsPaths: [packs.dir] }).get('x.n')?.parameters.cwd).toMatchObject({ type: 'string', default: '/tmp' });
    expect(
      loadError({ 'actions/y.yaml': 'name: y\nrunner_type: node-script\nentry_point: n.mjs\nparameters:\n  cwd:\n    type: integer\n' }).message,
    ).toContain('the attribute "type" of the runner parameter "cwd" cannot be overridden');
  });

  it('ignores an entry_point named by a runner that runs none, as st2 does (nothing is resolved or read)', () => {
    packs.pack('x', { 'actions/c.yaml': 'name: c\nrunner_type: local-shell-cmd\nentry_point: ../../../etc/passwd\n' });
    const c = loadActions({ packsDir: null, packsPaths: [packs.dir] }).get('x.c');
    expect(c).toMatchObject({ runner_type: 'local-shell-cmd', entry_point: '../../../etc/passwd' });
    expect(c?.entryPointPath).toBeUndefined();
  });

  it('accepts allowed overrides and repeating a runner attribute unchanged', () => {
    packs.pack('x', {
      'actions/y.yaml':
        'name: y\nrunner_type: local-shell-cmd\nparameters:\n  timeout:\n    type: integer\n    default: 5\n    description: short\n' +
        '  cmd:\n    type: string\n    required: true\n    enum: [ls, pwd]\n',
    });
    const y = loadActions({ packsDir: null, packsPaths: [packs.dir] }).get('x.y');
    expect(y?.parameters.timeout).toEqual({ type: 'integer', default: 5, description: 'short' });
    expect(y?.parameters.cmd).toMatchObject({ required: true, enum: ['ls', 'pwd'] });
  });

  it('refuses both actions of one name in a pack, and keeps the first of one pack in two folders', () => {
    const both = loadError({ 'actions/a.yaml': 'name: y\nrunner_type: noop\n', 'actions/b.yaml': 'name: y\nrunner_type: noop\n' });
    expect(both.message).toBe(
      `invalid action metadata: ${packs.file('x', 'actions/b.yaml')} - field "name": ` +
        `action "y" is defined in ${packs.file('x', 'actions/a.yaml')} and ${packs.file('x', 'actions/b.yaml')}`,
    );
    const other = new PacksFixture();
    try {
      other.pack('core', { 'actions/z.yaml': 'name: z\nrunner_type: noop\n' });
      const catalog = loadActions({ packsPaths: [other.dir] });
      expect(catalog.get('core.echo')).toBeDefined();
      expect(catalog.get('core.z')).toBeUndefined();
      expect(catalog.unavailable('core')?.reason).toMatch(/^duplicate pack: core - found in .* and .* \(the second is ignored\)$/);
    } finally {
      other.remove();
    }
  });

  it('survives a YAML alias bomb: bounded parsing, reported, the rest loads', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `l${i}: &l${i} [${Array(9)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(',')}]`,
      );
    const error = loadError({ 'actions/y.yaml': `${levels.join('\n')}\nname: y\nrunner_type: noop\n` });
    expect(error.message).toContain('not valid YAML: too many aliases: more than 50');
  });

  it('refuses a metadata file over MAX_METADATA_BYTES before parsing it', () => {
    const error = loadError({ 'actions/y.yaml': `name: y\nrunner_type: noop\ndescription: "${'d'.repeat(MAX_METADATA_BYTES)}"\n` });
    expect(error.message).toMatch(new RegExp(`file too large: \\d+ bytes, expected at most ${MAX_METADATA_BYTES}$`));
  });

  it('keeps the pack (under its folder name) when pack.yaml is invalid, and reports pack.yaml', () => {
    packs.pack('x', { 'pack.yaml': 'ref: [\n', 'actions/y.yaml': 'name: y\nrunner_type: noop\n' });
    const catalog = loadActions({ packsDir: null, packsPaths: [packs.dir] });
    expect(catalog.get('x.y')).toBeDefined();
    expect(catalog.unavailable('x')).toMatchObject({ file: packs.file('x', 'pack.yaml'), reason: expect.stringContaining('not valid YAML') });
  });

  it('skips a dangling symlink among the metadata files', () => {
    const packPath = packs.pack('x', { 'actions/y.yaml': 'name: y\nrunner_type: noop\n' });
    symlinkSync(path.join(packPath, 'nowhere.yaml'), path.join(packPath, 'actions', 'dangling.yaml'));
    const catalog = loadActions({ packsDir: null, packsPaths: [packs.dir] });
    expect(catalog.get('x.y')).toBeDefined();
    expect(catalog.listUnavailable()).toEqual([]);
  });

  it('reads metadata as st2 does (PyYAML): yes/no booleans, a quoted default continued over less-indented lines', () => {
    const yaml = [
      'name: y',
      'runner_type: noop',
      'enabled: yes',
      'parameters:',
      '  p:',
      '    type: string',
      "    default: '{{",
      "  q }}'",
      '  q:',
      '    type: boolean',
      '    default: off',
      '',
    ].join('\n');
    packs.pack('x', { 'actions/y.yaml': yaml });
    const action = loadActions({ packsDir: null, packsPaths: [packs.dir] }).get('x.y');
    expect(action?.enabled).toBe(true);
    expect(action?.parameters.p?.default).toBe('{{ q }}');
    expect(action?.parameters.q?.default).toBe(false);
  });

  it('maps st2 runner aliases (run-local is local-shell-cmd)', () => {
    packs.pack('x', { 'actions/y.yaml': 'name: y\nrunner_type: run-local\n' });
    expect(loadActions({ packsDir: null, packsPaths: [packs.dir] }).get('x.y')?.runner_type).toBe('local-shell-cmd');
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
      'actions/hello.yml':
        'name: hello\nrunner_type: local-shell-script\nentry_point: scripts/hello.sh\nparameters:\n  who:\n    type: string\n    default: you\n',
      'actions/scripts/hello.sh': '#!/bin/sh\necho "hello $1"\n',
      'actions/README.md': 'not metadata',
    });
    const catalog = loadActions({ packsPaths: [packs.dir, packs.dir] });
    const hello = catalog.get('mypack.hello');
    expect(hello).toMatchObject({ pack: 'mypack', entry_point: 'scripts/hello.sh', entryPointPath: packs.file('mypack', 'actions/scripts/hello.sh') });
    expect(resolveParameters(hello!, {}).values).toMatchObject({ who: 'you', timeout: 60, kwarg_op: '--' });
    expect(catalog.get('core.echo')).toBeDefined();
  });

  it('reports a missing folder and loads the others', () => {
    const catalog = loadActions({ packsPaths: ['/nonexistent/packs'] });
    expect(catalog.get('core.echo')).toBeDefined();
    expect(catalog.unavailable('/nonexistent/packs')?.reason).toBe(
      'packs folder not found: /nonexistent/packs - not a directory (check ACTIONRUNNER_PACKS_PATH)',
    );
  });
});
