import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { assertFitsProcess, InvalidParameterError, loadActions, MAX_ARG_STRLEN, resolveParameters } from '../../../src/actions/index.ts';
import { PacksFixture } from './pack-fixture.ts';

const packs = new PacksFixture();
packs.pack('big', {
  'actions/script.yaml':
    'name: script\nrunner_type: local-shell-script\nentry_point: script.sh\nparameters:\n  data:\n    type: string\n  first:\n    type: string\n    position: 0\n',
  'actions/script.sh': '#!/bin/sh\necho "$#"\n',
});
const catalog = loadActions({ packsPaths: [packs.dir] });
afterAll(() => packs.remove());

/** What ExecutionService.prepare checks: the resolved values of `ref` with `given`. */
function check(ref: string, given: Record<string, unknown>): void {
  const action = catalog.getRunnable(ref);
  const { values, commandEnv } = resolveParameters(action, given);
  assertFitsProcess(action, values, commandEnv ?? {});
}

const KIB_300 = 'x'.repeat(300 * 1024);
const HINT = ' (pass large data through a file, or use a python-script or node-script action: they get parameters on stdin)';

describe('assertFitsProcess (spawn would fail with E2BIG)', () => {
  it('uses the limit the kernel applies: one string of MAX_ARG_STRLEN bytes with its NUL starts, one byte more is E2BIG', () => {
    const run = (bytes: number) => spawnSync('/bin/sh', ['-c', 'true'], { env: { X: 'x'.repeat(bytes - 'X='.length - 1) } });
    expect(run(MAX_ARG_STRLEN).error).toBeUndefined();
    expect(run(MAX_ARG_STRLEN + 1).error).toMatchObject({ code: 'E2BIG' });
  });

  it('refuses a 300 KiB value of a local-shell-cmd action (an environment variable), naming the parameter and the limit', () => {
    expect(() => check('core.echo', { message: KIB_300 })).toThrow(InvalidParameterError);
    expect(() => check('core.echo', { message: KIB_300 })).toThrow(
      `parameter too large: message - 301 KiB exceeds the 128 KiB a single argument or environment variable can hold on Linux${HINT}`,
    );
    expect(() => check('core.local', { cmd: `echo ${KIB_300}` })).toThrow(/^parameter too large: cmd - 301 KiB exceeds the 128 KiB/);
  });

  it('refuses a 300 KiB named or positional argument of a local-shell-script action, and an env entry of any runner', () => {
    expect(() => check('big.script', { data: KIB_300 })).toThrow(/^parameter too large: data - 301 KiB exceeds/);
    expect(() => check('big.script', { first: KIB_300 })).toThrow(/^parameter too large: first - 301 KiB exceeds/);
    expect(() => check('examples.python_hello', { env: { BIG: KIB_300 } })).toThrow(/^parameter too large: env\.BIG - 301 KiB exceeds/);
  });

  it('refuses values that fit one by one but not together (ARG_MAX)', () => {
    const env = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`V${i}`, 'y'.repeat(100 * 1024)]));
    expect(() => check('core.local', { cmd: 'true', env })).toThrow(
      /^parameters too large: env\.V\d+, env\.V\d+, env\.V\d+ - 2\d{3} KiB of arguments and environment together exceed the 1920 KiB a program can get on Linux \(ARG_MAX\)/,
    );
  });

  it('lets through a value just under the limit, and any size on stdin (python-script, node-script)', () => {
    expect(() => check('core.echo', { message: 'x'.repeat(MAX_ARG_STRLEN - 'ST2_ARG_message='.length - 1) })).not.toThrow();
    expect(() => check('examples.python_hello', { name: KIB_300 })).not.toThrow();
    expect(() => check('examples.node_hello', { name: KIB_300 })).not.toThrow();
  });
});
