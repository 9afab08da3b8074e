// pack install / list / remove against real tools: python3 -m venv, pip (offline, from a wheel the test builds), git.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installPack, InvalidPackError, listPacks, PackInstallError, removePack } from '../../../src/pack-manager/index.ts';
import { writePythonPack } from '../../helpers/python-packs.ts';

const root = mkdtempSync(path.join(tmpdir(), 'packs-install-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const packsDir = path.join(root, 'packs');
const venvPython = (pack: string) => path.join(packsDir, '.virtualenvs', pack, 'bin', 'python');
const importFromVenv = (pack: string) => execFileSync(venvPython(pack), ['-c', 'import tinydep; print(tinydep.GREETING)'], { encoding: 'utf8' }).trim();

describe('pack install', () => {
  it('copies the pack, creates its virtualenv and pip-installs its requirements.txt there; installing again updates it', async () => {
    const first = await installPack(writePythonPack(path.join(root, 'v1')), { packsDir });
    expect(first).toMatchObject({ name: 'pydeps', version: '1.0.0', updated: false, requirements: ['tinydep==1.0'], path: path.join(packsDir, 'pydeps') });
    expect(existsSync(path.join(packsDir, 'pydeps', 'actions', 'greet.py'))).toBe(true);
    expect(importFromVenv('pydeps')).toBe('hello from tinydep 1.0');
    // Not importable by the interpreter outside the virtualenv: it went into the pack's own environment.
    expect(() => execFileSync('python3', ['-c', 'import tinydep'], { stdio: 'pipe' })).toThrow();

    const second = await installPack(writePythonPack(path.join(root, 'v2'), { version: '2.0' }), { packsDir });
    expect(second).toMatchObject({ name: 'pydeps', version: '2.0.0', updated: true });
    expect(importFromVenv('pydeps')).toBe('hello from tinydep 2.0');
    expect(listPacks(packsDir)).toEqual([
      expect.objectContaining({ name: 'pydeps', version: '2.0.0', virtualenv: path.join(packsDir, '.virtualenvs', 'pydeps') }),
    ]);
  }, 240_000);

  it("a pip failure says so with pip's own words, and leaves the installed pack as it was", async () => {
    const broken = writePythonPack(path.join(root, 'broken'), { requirements: '--no-index\nno-such-library==9.9\n' });
    const error = await installPack(broken, { packsDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackInstallError);
    expect((error as Error).message).toMatch(/^pip install failed: .*requirements\.txt \(exit 1\) - pip said:\n/);
    expect((error as Error).message).toContain('No matching distribution found for no-such-library==9.9');
    expect(importFromVenv('pydeps')).toBe('hello from tinydep 2.0');
    expect(readFileSync(path.join(packsDir, 'pydeps', 'requirements.txt'), 'utf8')).toContain('tinydep==2.0');
  }, 240_000);

  it('installs from a git URL (git clone --depth 1 of a local bare repository)', async () => {
    const work = path.join(root, 'gitsrc');
    const pack = path.join(work, 'shellonly');
    mkdirSync(path.join(pack, 'actions'), { recursive: true });
    writeFileSync(path.join(pack, 'pack.yaml'), 'ref: from_git\nname: from_git\nversion: 0.3.0\n');
    writeFileSync(path.join(pack, 'actions', 'hi.yaml'), 'name: hi\nrunner_type: local-shell-cmd\nparameters:\n  cmd: { default: echo hi }\n');
    const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, stdio: 'pipe' });
    git(pack, 'init', '-q');
    git(pack, 'add', '.');
    git(pack, 'commit', '-q', '-m', 'pack');
    const bare = path.join(root, 'from_git.git');
    git(root, 'clone', '-q', '--bare', pack, bare);
    const outcome = await installPack(`file://${bare}`, { packsDir });
    expect(outcome).toMatchObject({ name: 'from_git', version: '0.3.0', updated: false });
    expect(outcome.virtualenv).toBeUndefined(); // no python action, no requirements: no virtualenv
    expect(existsSync(path.join(packsDir, 'from_git', 'actions', 'hi.yaml'))).toBe(true);
    expect(existsSync(path.join(packsDir, 'from_git', '.git'))).toBe(false);

    const missing = await installPack(`file://${path.join(root, 'nope.git')}`, { packsDir }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PackInstallError);
    expect((missing as Error).message).toMatch(/^git clone failed: file:\/\/\S+nope\.git - .*(does not appear to be a git repository|not found)/s);
  }, 120_000);

  it('never shows a token in a git URL or a requirement: not in its progress, its outcome or its errors', async () => {
    const token = 'ghp_s3cr3tT0ken';
    const steps: string[] = [];
    // Port 9 on loopback: nothing listens, the clone fails at once.
    const clone = await installPack(`https://ann:${token}@127.0.0.1:9/team/pack.git`, { packsDir, progress: (step) => steps.push(step) }).catch(
      (e: unknown) => e,
    );
    expect(clone).toBeInstanceOf(PackInstallError);
    expect((clone as Error).message).toMatch(/^git clone failed: https:\/\/\*\*\*@127\.0\.0\.1:9\/team\/pack\.git - /);
    expect(steps).toEqual(['cloning https://***@127.0.0.1:9/team/pack.git']);

    const pack = writePythonPack(path.join(root, 'tokenreq'), { requirements: `--no-index\nprivdep @ https://${token}@127.0.0.1:9/privdep-1.0.tar.gz\n` });
    const pip = await installPack(pack, { packsDir, progress: (step) => steps.push(step) }).catch((e: unknown) => e);
    expect(pip).toBeInstanceOf(PackInstallError);
    const told = [...steps, (clone as Error).message, JSON.stringify((clone as PackInstallError).context), (pip as Error).message].join('\n');
    expect(told).toContain('privdep @ https://***@127.0.0.1:9/privdep-1.0.tar.gz');
    expect(told).not.toContain(token);
  }, 120_000);

  it('refuses what is not an installable pack, saying what it expected', async () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    await expect(installPack(empty, { packsDir })).rejects.toThrow(
      new InvalidPackError(`invalid pack: ${empty} - expected a pack folder with an actions/ folder (st2's layout: actions/<name>.yaml), found none`),
    );
    await expect(installPack(path.join(root, 'absent'), { packsDir })).rejects.toThrow(/^invalid pack source: \S+absent - expected a pack folder or a git URL/);
    const core = path.join(root, 'core');
    mkdirSync(path.join(core, 'actions'), { recursive: true });
    await expect(installPack(core, { packsDir })).rejects.toThrow(/"core" is the name of a pack the bundle ships/);
    const badName = path.join(root, 'bad');
    mkdirSync(path.join(badName, 'actions'), { recursive: true });
    writeFileSync(path.join(badName, 'pack.yaml'), 'ref: "../escape"\n');
    await expect(installPack(badName, { packsDir })).rejects.toThrow(/its name "\.\.\/escape" may only hold letters, digits, _ and -/);
  });

  it('says python3 is missing when the interpreter cannot be found', async () => {
    const pack = writePythonPack(path.join(root, 'nopython'), { name: 'nopython' });
    const error = await installPack(pack, { packsDir, python: path.join(root, 'no-such-python3') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackInstallError);
    expect((error as Error).message).toMatch(/^python3 not found: \S+no-such-python3 is not on PATH - .*\(Debian: apt-get install python3 python3-venv\)/);
    expect(existsSync(path.join(packsDir, 'nopython'))).toBe(false);
  });

  it('pack remove takes the pack and its virtualenv away', () => {
    expect(removePack(packsDir, 'pydeps')).toBe(true);
    expect(existsSync(path.join(packsDir, 'pydeps'))).toBe(false);
    expect(existsSync(path.join(packsDir, '.virtualenvs', 'pydeps'))).toBe(false);
    expect(removePack(packsDir, 'pydeps')).toBe(false);
    expect(() => removePack(packsDir, '../x')).toThrow(/invalid pack name: "..\/x"/);
  });
});
