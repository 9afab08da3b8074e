import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { SubstrateError } from './errors.ts';
import { freePort } from './free-port.ts';
import { describeGuardExit, spawnGuarded } from './guard.ts';
import { findJava } from './java.ts';

export interface DynamoDbLocalOptions {
  /** Directory for persistent tables (`-dbPath`); in memory when unset. */
  dataDir?: string;
  /** Receives every line DynamoDB Local prints. */
  log?: (line: string) => void;
  /** Longest wait for the first answer. @default 30000 */
  startTimeoutMs?: number;
  env?: Record<string, string | undefined>;
}

/** An emulator that ended without being asked to stop. */
export interface EmulatorDeath {
  /** `DynamoDB Local`. */
  emulator: string;
  /** Pid of the guard process that owned it. */
  pid: number;
  /** `killed by SIGKILL`, `exited with code 1`. */
  how: string;
  /** Its last output lines (why the JVM stopped, when it said so). */
  lastLines: string[];
}

export interface DynamoDbLocal {
  endpoint: string;
  /** Pid of the guard process that owns the JVM. */
  pid: number;
  port: number;
  /** Stops the JVM and waits for it; safe to call more than once. */
  stop(): Promise<void>;
  /** Resolves when the JVM ends without `stop()` (killed, crashed); never resolves otherwise. */
  died: Promise<EmulatorDeath>;
}

/** Folder of DynamoDB Local's jar, shipped by amplify-dynamodb-simulator. */
export function dynamoDbLocalHome(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

// Any HTTP answer (even an auth error) means the server is up.
async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
      signal: AbortSignal.timeout(1000),
    });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** The JVM's command line: start fast (C1 only, serial GC, class data sharing); the emulator is small and short-lived. */
function javaArgs(home: string, port: number, dataDir: string | undefined): string[] {
  const storage = dataDir ? ['-dbPath', resolve(dataDir)] : ['-inMemory'];
  const jvm = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto', `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`];
  return [...jvm, '-jar', join(home, 'DynamoDBLocal.jar'), '-port', String(port), '-sharedDb', ...storage];
}

/** The last 40 lines the child printed (for error messages), each passed to `log` too. */
function keepTail(child: { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream }, log?: (line: string) => void): string[] {
  const tail: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      log?.(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return tail;
}

/** Starts DynamoDB Local (java) on a free port, guarded so it dies with this process. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = findJava(options.env);
  const home = dynamoDbLocalHome();
  const port = await freePort();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const args = javaArgs(home, port, options.dataDir);
  // In memory there is nothing to flush: kill at once. With a dbPath, let it close its files first.
  const child = spawnGuarded(java, args, { cwd: home, killGraceMs: options.dataDir ? 5000 : 0 });
  const tail = keepTail(child, options.log);
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    child.once('exit', () => resolveExit());
  });
  let stopped: Promise<void> | undefined;
  const died = new Promise<EmulatorDeath>((resolveDeath) => {
    void exited.then(() => {
      if (stopped) return;
      resolveDeath({ emulator: 'DynamoDB Local', pid: child.pid!, how: describeGuardExit(child.exitCode, child.signalCode), lastLines: tail.slice(-5) });
    });
  });
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      child.stdin.destroy();
      await exited;
    })();
    return stopped;
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  while (!(await answers(endpoint))) {
    if (ended || Date.now() > deadline) {
      await stop();
      const why = ended ? `exited with ${child.exitCode ?? child.signalCode}` : `no answer after ${options.startTimeoutMs ?? 30_000} ms`;
      throw new SubstrateError(`DynamoDB Local did not start: ${java} ${why}\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoint, port, pid: child.pid!, stop, died };
}
