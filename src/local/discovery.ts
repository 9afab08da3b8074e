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
  /** The local API (the api function's handler): `http://127.0.0.1:9101`; the API is under /v1, the web page at /. */
  apiUrl?: string;
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

/** Whether process `pid` exists (one of another user counts). */
export function alive(pid: number): boolean {
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

/** Who holds a project folder: the lock's owner and, once it is up, what its discovery file says. */
export interface ProjectHolder {
  pid: number;
  startedAt: string;
  /** Absent while the holder is still starting (no discovery file yet). */
  discovery?: LocalDiscovery;
}

/** The outcome of `claimProject`: held by us (`release` it), or by a live process. */
export type ProjectClaim = { held: true; release(): void; tookOverFrom?: ProjectHolder } | { held: false; holder: ProjectHolder };

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Claims `projectDir` for one local runtime: `.actionrunner/local.lock` is created exclusively (O_EXCL)
 * before anything starts, so two `npm start` in one folder cannot both get past this, even while the
 * first is still starting. A lock whose process is dead is stale: it is taken over, and said so.
 * @example const claim = claimProject(process.cwd()); if (!claim.held) console.error(`running: pid ${claim.holder.pid}`);
 */
export function claimProject(projectDir: string, pid = process.pid): ProjectClaim {
  const lock = path.join(path.dirname(discoveryFile(projectDir)), 'local.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  let tookOverFrom: ProjectHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lock, `${JSON.stringify({ pid, startedAt: new Date().toISOString() })}\n`, { flag: 'wx' });
      const release = () => {
        if (readJson<ProjectHolder>(lock)?.pid === pid) rmSync(lock, { force: true });
      };
      // A discovery file without a lock: written by a runtime that does not lock (an older version).
      const previous = readJson<LocalDiscovery>(discoveryFile(projectDir));
      if (previous && previous.pid !== pid && alive(previous.pid)) {
        release();
        return { held: false, holder: { pid: previous.pid, startedAt: previous.startedAt, discovery: previous } };
      }
      if (previous && previous.pid !== pid && !tookOverFrom) tookOverFrom = { pid: previous.pid, startedAt: previous.startedAt, discovery: previous };
      return { held: true, release, ...(tookOverFrom ? { tookOverFrom } : {}) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readJson<ProjectHolder>(lock);
    const discovery = readJson<LocalDiscovery>(discoveryFile(projectDir));
    const holder: ProjectHolder | undefined = owner && { pid: owner.pid, startedAt: owner.startedAt, ...(discovery?.pid === owner.pid ? { discovery } : {}) };
    if (holder && holder.pid !== pid && alive(holder.pid)) return { held: false, holder };
    // Dead owner (or an unreadable lock, left half-written by a crash): take it over.
    tookOverFrom = holder ?? tookOverFrom;
    rmSync(lock, { force: true });
  }
  throw new Error(`cannot lock: ${lock} - another process keeps creating it`);
}
