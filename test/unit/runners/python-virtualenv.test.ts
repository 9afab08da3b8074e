// python-script runs a pack's actions with the pack's virtualenv (pack install), or with its shipped libraries (a packaged stage).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpreterFor, sitePackagesOf } from '../../../src/pack-manager/index.ts';
import { PythonScriptRunner } from '../../../src/runners/python-script.ts';
import { action, request } from './helpers.ts';

const root = mkdtempSync(path.join(tmpdir(), 'python-venv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pack `name` in `packsDir` whose action returns `onlyhere.WHERE` and the interpreter that ran it. */
function packWithAction(packsDir: string, name: string) {
  const actions = path.join(packsDir, name, 'actions');
  mkdirSync(actions, { recursive: true });
  const entry = path.join(actions, 'where.py');
  writeFileSync(
    entry,
    'import sys\nfrom st2common.runners.base_action import Action\n\nclass Where(Action):\n    def run(self):\n        import onlyhere\n        return {"where": onlyhere.WHERE, "prefix": sys.prefix}\n',
  );
  return { ...action('python-script'), ref: `${name}.where`, pack: name, entry_point: 'where.py', entryPointPath: entry, packPath: path.join(packsDir, name) };
}

function writeModule(sitePackages: string, where: string): void {
  mkdirSync(path.join(sitePackages, 'onlyhere'), { recursive: true });
  writeFileSync(path.join(sitePackages, 'onlyhere', '__init__.py'), `WHERE = ${JSON.stringify(where)}\n`);
}

const runner = new PythonScriptRunner();
const packsDir = path.join(root, 'packs');
const venv = path.join(packsDir, '.virtualenvs', 'withvenv');

beforeAll(() => {
  execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
  writeModule(sitePackagesOf(venv)!, 'the virtualenv');
  writeModule(path.join(packsDir, '.virtualenvs', 'shipped', 'site-packages'), 'the shipped site-packages');
}, 60_000);

describe("python-script and a pack's virtualenv", () => {
  it("runs the action with the virtualenv's interpreter: its libraries import", async () => {
    const outcome = await runner.run(request(packWithAction(packsDir, 'withvenv'), {}));
    expect(outcome).toMatchObject({ status: 'succeeded', result: { result: { where: 'the virtualenv', prefix: venv } } });
  });

  it("with only the virtualenv's site-packages (a packaged stage), runs python3 with them on the path", async () => {
    const outcome = await runner.run(request(packWithAction(packsDir, 'shipped'), {}));
    expect(outcome).toMatchObject({ status: 'succeeded', result: { result: { where: 'the shipped site-packages' } } });
  });

  it('without a virtualenv, the library is not there (the import fails, naming it)', async () => {
    const outcome = await runner.run(request(packWithAction(packsDir, 'novenv'), {}));
    expect(outcome).toMatchObject({ status: 'failed', result: { error: expect.stringContaining("No module named 'onlyhere'") } });
  });

  it('interpreterFor names what it picked', () => {
    expect(interpreterFor(path.join(packsDir, 'withvenv'), 'python3')).toEqual({ python: path.join(venv, 'bin', 'python'), virtualenv: venv });
    expect(interpreterFor(path.join(packsDir, 'shipped'), 'python3')).toEqual({
      python: 'python3',
      pythonPath: path.join(packsDir, '.virtualenvs', 'shipped', 'site-packages'),
      virtualenv: path.join(packsDir, '.virtualenvs', 'shipped'),
    });
    expect(interpreterFor(path.join(packsDir, 'novenv'), 'python3')).toEqual({ python: 'python3' });
  });
});
