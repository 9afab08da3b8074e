// The CLI users run is the build in dist/: it builds again when a source changed, refuses to run stale or broken
// code, and a command loads only what it needs (no AWS SDK, workflow engine or emulators for --help).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from './helpers.ts';

const ROOT = path.dirname(path.dirname(BIN));
const MODULE_LOG_HOOK = fileURLToPath(new URL('../fixtures/module-log.mjs', import.meta.url));

interface Manifest {
  outputs: string[];
  contents: Record<string, string[]>;
}

/** Runs the bin of `root` with `args` in `cwd`; `nodeArgs` go before it. */
function run(root: string, args: string[], options: { cwd?: string; nodeArgs?: string[]; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), path.join(root, 'bin', 'actionrunner.mjs'), ...args], {
    cwd: options.cwd ?? root,
    env: cleanEnv(options.env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the bin builds what it runs', () => {
  // A copy of the project (node_modules linked), so that editing its sources cannot disturb other tests.
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), 'ar-build-'));
    for (const entry of ['bin', 'scripts', 'src', 'functions', 'packs', 'package.json', 'package-lock.json', 'tsconfig.json', 'serverless.yml'])
      cpSync(path.join(ROOT, entry), path.join(project, entry), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
  });

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('builds on first use, then runs the build as it is', () => {
    const first = run(project, ['--version']);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('actionrunner: built the CLI into dist/');
    expect(first.stderr).toContain('(no build yet)');
    expect(first.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')).version);
    const second = run(project, ['--version']);
    expect(second.code).toBe(0);
    expect(second.stderr).toBe('');
  });

  it('builds again, and says why, when a source file changed since the last build', () => {
    const main = path.join(project, 'src', 'cli', 'main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace("StackStorm's action runner on SQS", 'EDITED: the action runner on SQS'));
    const edited = run(project, ['--help']);
    expect(edited.code).toBe(0);
    expect(edited.stderr).toContain('actionrunner: built the CLI into dist/');
    expect(edited.stderr).toContain('(src/cli/main.ts changed since the last build)');
    expect(edited.stdout).toContain('EDITED: the action runner on SQS');
    expect(run(project, ['--help']).stderr).toBe('');
  });

  it('refuses to run, exit 1, when the changed sources do not build', () => {
    const format = path.join(project, 'src', 'cli', 'format.ts');
    const good = readFileSync(format, 'utf8');
    writeFileSync(format, `${good}\nexport const broken = ;\n`);
    const broken = run(project, ['--version']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(/src\/cli\/format\.ts:\d+/);
    expect(broken.stderr).toContain('error: cannot build the CLI from src/');
    writeFileSync(format, good);
    expect(run(project, ['--version']).code).toBe(0);
  });

  it('runs the local runtime from the build too: its handlers are the built modules', () => {
    const { contents } = JSON.parse(readFileSync(path.join(project, 'dist', 'build.json'), 'utf8')) as Manifest;
    expect(Object.keys(contents)).toEqual(expect.arrayContaining(['dist/cli/main.mjs', 'dist/functions/actions.mjs', 'dist/functions/workflows.mjs']));
  });

  it('commands started at once after a change all build or wait, and all run the changed code', async () => {
    const main = path.join(project, 'src', 'cli', 'main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace('EDITED: the action runner', 'EDITED TWICE: the action runner'));
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => {
        const child = spawn(process.execPath, [path.join(project, 'bin', 'actionrunner.mjs'), '--help'], { cwd: project, env: cleanEnv() });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        return new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout })));
      }),
    );
    for (const { code, stdout } of runs) {
      expect(code).toBe(0);
      expect(stdout).toContain('EDITED TWICE: the action runner');
    }
    expect(run(project, ['--help']).stderr).toBe('');
  });
});

describe('a command loads only what it needs', () => {
  let dir: string;
  let manifest: Manifest;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-load-'));
    manifest = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'build.json'), 'utf8')) as Manifest;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What the modules `args` loaded hold: packages and source files, from the build's manifest. */
  function loaded(args: string[]): { code: number | null; origins: Set<string>; modules: string[] } {
    const log = path.join(dir, `modules-${args.join('-')}.txt`);
    const result = run(ROOT, args, { cwd: dir, nodeArgs: ['--import', pathToFileURL(MODULE_LOG_HOOK).href], env: { MODULE_LOG: log } });
    const modules = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const origins = new Set<string>();
    for (const url of modules) {
      if (!url.startsWith('file:')) continue;
      const file = path.relative(ROOT, fileURLToPath(url));
      for (const origin of manifest.contents[file] ?? [file.startsWith('node_modules/') ? file.split('/')[1] : file]) origins.add(origin);
    }
    return { code: result.code, origins, modules };
  }

  // The SDK, the emulators (but the dummy credentials the CLI sets), the workflow engine, the runners, and the
  // two large libraries (zod, yaml: 590 KB of the 675 KB --help compiled when the dlq command imported them).
  const heavy = (origins: Set<string>) =>
    [...origins].filter((o) =>
      /^@aws-sdk\/|^@smithy\/|^fauxqs$|^zod$|^yaml$|^src\/(workflow|dispatch|runners)\/|^src\/substrate\/(?!credentials\.ts$)/.test(o),
    );

  it.each([['--help'], ['--version'], ['run', '-h'], ['execution', '--help']])(
    '%s loads neither the AWS SDK, nor the workflow engine, nor the emulators',
    (...args) => {
      const { code, origins, modules } = loaded(args);
      expect(code).toBe(0);
      expect(modules.some((url) => url.endsWith('/dist/cli/main.mjs'))).toBe(true);
      expect(heavy(origins)).toEqual([]);
    },
  );

  it('a command that talks to a runtime does load the SDK (the check above sees it)', () => {
    // No runtime in this folder: the command fails, but only after loading what talks to one.
    const { code, origins } = loaded(['execution', 'list']);
    expect(code).toBe(1);
    expect(heavy(origins)).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb']));
    expect(heavy(origins).filter((o) => o.startsWith('src/'))).toEqual([]);
    expect(heavy(origins)).not.toContain('yaml');
  });
});
