// End to end: `actionrunner pack install|list|remove` against a running `actionrunner local`, as real processes:
// a pack whose python action imports a library its requirements.txt installs (offline, from a wheel the test builds).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePythonPack } from '../helpers/python-packs.ts';
import { cleanEnv, cli, startLocal, type LocalProcess } from './helpers.ts';

describe('python packs with their dependencies through actionrunner local', () => {
  let dir: string;
  let sources: string;
  let local: LocalProcess;
  const run = (...args: string[]) => cli(dir, args, cleanEnv({ NO_COLOR: '1' }), 300_000);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-packs-'));
    sources = mkdtempSync(path.join(tmpdir(), 'ar-e2e-pack-sources-'));
    local = await startLocal(dir, [], cleanEnv());
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    [dir, sources].forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('installs a pack into the running runtime, whose python action then imports its dependency', async () => {
    const before = await run('run', 'pydeps.greet');
    expect(before.code).toBe(2);
    const installed = await run('pack', 'install', writePythonPack(path.join(sources, 'v1')));
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(`installed pack "pydeps" 1.0.0 in ${path.join(dir, '.actionrunner', 'packs', 'pydeps')}`);
    expect(installed.stderr).toContain("installing pydeps's requirements.txt (pip): tinydep==1.0");
    const result = await run('run', 'pydeps.greet', 'who=e2e', '--json');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).result.result).toMatchObject({
      greeting: 'hello from tinydep 1.0',
      who: 'e2e',
      tinydep_file: expect.stringContaining(path.join('.actionrunner', 'packs', '.virtualenvs', 'pydeps')),
    });
  }, 300_000);

  it('pack install of an installed pack updates it; pack list shows it; pack remove takes it away', async () => {
    const updated = await run('pack', 'install', writePythonPack(path.join(sources, 'v2'), { version: '2.0' }), '--json');
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ name: 'pydeps', version: '2.0.0', updated: true });
    const result = await run('run', 'pydeps.greet', '--json');
    expect(JSON.parse(result.stdout).result.result).toMatchObject({ greeting: 'hello from tinydep 2.0', who: 'world' });
    const list = await run('pack', 'list');
    expect(list.stdout).toMatch(/pydeps\s+2\.0\.0\s+yes\s+a pack with a python dependency/);
    const removed = await run('pack', 'remove', 'pydeps');
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(path.join(dir, '.actionrunner', 'packs', 'pydeps'))).toBe(false);
    const gone = await run('run', 'pydeps.greet');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('pydeps.greet');
  }, 300_000);

  it("a pip failure is reported with pip's words and exit status 1", async () => {
    const failed = await run('pack', 'install', writePythonPack(path.join(sources, 'bad'), { name: 'badreq', requirements: '--no-index\nmissing-lib==1\n' }));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/error: pip install failed: \S+requirements\.txt \(exit 1\) - pip said:/);
    expect(failed.stderr).toContain('No matching distribution found for missing-lib==1');
    expect((await run('pack', 'list')).stdout).toContain('(no packs installed)');
  }, 300_000);
});
