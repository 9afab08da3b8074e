import { mkdtempSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findInterpreters, interpreterProblem, which } from '../../../src/runners/interpreters.ts';

describe('interpreters where the actions run', () => {
  const bin = mkdtempSync(path.join(tmpdir(), 'interp-'));
  symlinkSync('/bin/bash', path.join(bin, 'bash'));
  writeFileSync(path.join(bin, 'python3'), 'not executable');
  chmodSync(path.join(bin, 'python3'), 0o644);

  it('finds an executable on PATH, skipping empty entries and files that cannot run', () => {
    expect(which('bash', `:${bin}`)).toBe(path.join(bin, 'bash'));
    expect(which('python3', bin)).toBeNull();
    expect(which('bash', undefined)).toBeNull();
  });

  it('probes python3, bash and sh once per PATH value', () => {
    const found = findInterpreters({ PATH: bin });
    expect(found).toEqual({ python3: null, bash: path.join(bin, 'bash'), sh: null });
    expect(findInterpreters({ PATH: bin })).toBe(found);
    expect(findInterpreters({ PATH: `${bin}:/usr/bin:/bin` }).sh).not.toBeNull();
  });

  it('says which runner needs what; runners without an interpreter need nothing', () => {
    expect(interpreterProblem('python-script', { python3: null })).toMatch(/^runner python-script needs python3, .* actionsImage=<image URI>/);
    expect(interpreterProblem('run-python', { python3: null })).toMatch(/^runner python-script needs python3/);
    expect(interpreterProblem('python-script', { python3: '/usr/bin/python3' })).toBeUndefined();
    expect(interpreterProblem('local-shell-cmd', { bash: null, sh: '/bin/sh' })).toBeUndefined();
    expect(interpreterProblem('node-script', {})).toBeUndefined();
    expect(interpreterProblem('no-such-runner', {})).toBeUndefined();
  });
});
