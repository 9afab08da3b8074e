// A real OpenSSH server for a test file: /usr/sbin/sshd on 127.0.0.1 and 127.0.0.2 at a free port, with a host
// key and a user key generated for it, logging in as the user running the tests (.ci/run installs openssh-server).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  username: string;
  /** OpenSSH private key text that the server accepts. */
  privateKey: string;
  privateKeyFile: string;
  /** A key the server does not accept. */
  strangerKey: string;
  dir: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export const closedPort = freePort;

async function listening(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`sshd: nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'actionrunner-test', '-f', file]);
}

/** Starts sshd before the file's tests and stops it after. */
export function useSshd(): Sshd {
  const state = {} as Sshd;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    if (!existsSync(SSHD)) throw new Error(`${SSHD} not found - install Debian's openssh-server (.ci/run does)`);
    const dir = mkdtempSync(path.join(tmpdir(), 'sshd-'));
    keygen(path.join(dir, 'host_key'));
    keygen(path.join(dir, 'id_user'));
    keygen(path.join(dir, 'id_stranger'));
    writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'id_user.pub')));
    // As root, sshd wants its privilege separation folder.
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
    const port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      'ListenAddress 127.0.0.2',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PidFile none',
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'LogLevel ERROR',
    ];
    writeFileSync(path.join(dir, 'sshd_config'), `${config.join('\n')}\n`);
    child = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await listening(port).catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });
    Object.assign(state, {
      port,
      dir,
      username: userInfo().username,
      privateKeyFile: path.join(dir, 'id_user'),
      privateKey: readFileSync(path.join(dir, 'id_user'), 'utf8'),
      strangerKey: readFileSync(path.join(dir, 'id_stranger'), 'utf8'),
    });
  });
  afterAll(() => {
    child?.kill('SIGTERM');
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });
  return state;
}
