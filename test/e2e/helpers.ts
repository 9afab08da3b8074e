// Drives `actionrunner` as a user would: the local runtime as a separate process, the CLI as child processes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { LocalDiscovery } from '../../src/local/discovery.ts';

// The SDK's Node 22 notice is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The bin users run: it runs the build in dist/ (global-setup.ts makes sure it is up to date). */
export const BIN = fileURLToPath(new URL('../../bin/actionrunner.mjs', import.meta.url));

/** The environment without anything that would point the runtime or the CLI elsewhere. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.startsWith('AWS_ENDPOINT_URL') || name.startsWith('ACTIONRUNNER_') || name === 'NO_COLOR') continue;
    env[name] = value;
  }
  // The API on any free port: a runtime the developer keeps running on st2's 9101 does not break the tests.
  return { ...env, ACTIONRUNNER_LOG_JSON: '1', ACTIONRUNNER_API_PORT: '0', ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `actionrunner ...args` in `cwd` and waits for it. */
export function cli(cwd: string, args: string[], env: Record<string, string> = cleanEnv(), timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`actionrunner ${args.join(' ')}: no exit after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `actionrunner ...args --json` in `cwd`, expects it to succeed, and returns what it printed, parsed. */
export async function cliJson(cwd: string, args: string[], env: Record<string, string>): Promise<ReturnType<typeof JSON.parse>> {
  const result = await cli(cwd, [...args, '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

export interface LocalProcess {
  child: ChildProcess;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  readyLine: string;
  output(): { stdout: string; stderr: string };
  discovery(): LocalDiscovery;
  /** Sends `signal` and waits for the exit (bounded); returns the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/**
 * Starts `actionrunner local` in `cwd` and waits for its `ready` line. `detached`: in a process group of its
 * own, as a shell's foreground job is, so that a test can signal the whole group like a terminal does.
 */
export async function startLocal(
  cwd: string,
  args: string[] = [],
  env: Record<string, string> = cleanEnv(),
  timeoutMs = 90_000,
  detached = false,
): Promise<LocalProcess> {
  const child = spawn(process.execPath, [BIN, 'local', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`actionrunner local: not ready after ${timeoutMs} ms\n${stdout}\n${stderr.slice(-3000)}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.includes('ready'));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`actionrunner local exited with ${code} before ready\n${stderr.slice(-3000)}`));
    });
  });
  return {
    child,
    exited,
    readyLine,
    output: () => ({ stdout, stderr }),
    discovery: () => JSON.parse(readFileSync(path.join(cwd, '.actionrunner', 'local.json'), 'utf8')) as LocalDiscovery,
    stop: async (signal = 'SIGTERM', stopTimeoutMs = 60_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(
            () => reject(new Error(`actionrunner local: still running ${stopTimeoutMs} ms after ${signal}\n${stderr.slice(-3000)}`)),
            stopTimeoutMs,
          )),
      );
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Command lines of the processes matching `pattern` (pgrep -f), this test's processes excluded. */
export function processesMatching(pattern: string): string[] {
  const result = spawnSync('pgrep', ['-af', pattern], { encoding: 'utf8' });
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .filter((line) => !line.includes('pgrep'));
}

/** A StackStorm-layout pack with one shell-script action: `e2e.shout word=<w> [times=<n>] [token=<secret>]`. */
export function writePack(root: string): string {
  const actions = path.join(root, 'e2e', 'actions');
  mkdirSync(actions, { recursive: true });
  writeFileSync(path.join(root, 'e2e', 'pack.yaml'), 'ref: e2e\nname: e2e\ndescription: pack of the end-to-end tests\nversion: 0.1.0\n');
  writeFileSync(
    path.join(actions, 'shout.yaml'),
    [
      'name: shout',
      'pack: e2e',
      'description: Prints a word in capitals, N times',
      'runner_type: local-shell-script',
      'entry_point: shout.sh',
      'enabled: true',
      'parameters:',
      '  word: { type: string, required: true, position: 0 }',
      '  times: { type: integer, default: 1, position: 1 }',
      '  token: { type: string, secret: true }',
      '',
    ].join('\n'),
  );
  const script = path.join(actions, 'shout.sh');
  writeFileSync(
    script,
    '#!/bin/sh\n# Named arguments (--token=...) come first: skip them.\nwhile [ "${1#--}" != "$1" ]; do shift; done\ni=0\nwhile [ "$i" -lt "$2" ]; do echo "$1" | tr a-z A-Z; i=$((i+1)); done\n',
  );
  chmodSync(script, 0o755);
  return root;
}
