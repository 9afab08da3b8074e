import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a running `actionrunner local` tells the CLI: where it is and how it is configured. */
export interface LocalDiscovery {
  pid: number;
  stage: string;
  region: string;
  sqsEndpoint: string;
  dynamodbEndpoint: string;
  /** True when the endpoints came from AWS_ENDPOINT_URL* (LocalStack...), not the embedded emulators. */
  external: boolean;
  queueUrls: Record<string, string>;
  tableNames: Record<string, string>;
  /**
   * The `ACTIONRUNNER_*` variables the actions function runs with (packs path, timeouts...): the CLI
   * validates requests with the same configuration.
   */
  env: Record<string, string>;
  startedAt: string;
}

/** Folder and file name of the discovery file, inside the project directory. */
export const DISCOVERY_PATH = path.join('.actionrunner', 'local.json');

/** The discovery file of the runtime started in `projectDir`. */
export function discoveryFile(projectDir: string): string {
  return path.join(path.resolve(projectDir), DISCOVERY_PATH);
}

/** Writes the file atomically (rename), so a reader never sees half of it. */
export function writeDiscovery(file: string, discovery: LocalDiscovery): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(discovery, null, 2)}\n`);
  renameSync(temp, file);
}

/** Removes the file when it still describes this process. */
export function removeDiscovery(file: string, pid = process.pid): void {
  try {
    const current = JSON.parse(readFileSync(file, 'utf8')) as LocalDiscovery;
    if (current.pid === pid) rmSync(file, { force: true });
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Finds a running local runtime: the discovery file in `from` or the nearest parent directory that has one,
 * whose process is alive. A file left by a process that died is ignored.
 * @example const local = findLocal(process.cwd()); if (local) console.log(local.sqsEndpoint);
 */
export function findLocal(from: string): (LocalDiscovery & { file: string }) | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, DISCOVERY_PATH);
    if (existsSync(file)) {
      try {
        const discovery = JSON.parse(readFileSync(file, 'utf8')) as LocalDiscovery;
        if (alive(discovery.pid)) return { ...discovery, file };
      } catch {
        // Unreadable (being written, or corrupt): look further up.
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
