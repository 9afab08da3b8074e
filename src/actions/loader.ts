import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { NotFoundError, ValidationError } from '../model/errors.ts';
import type { ActionCatalog, ActionDefinition } from './types.ts';
import { InvalidActionMetadataError } from './errors.ts';
import { parseActionMetadata } from './metadata.ts';

/** Options of `loadActions`. */
export interface LoadActionsOptions {
  /**
   * Folder holding the bundle's own packs (`core`, `examples`); `null` loads none.
   * @default defaultPacksDir()
   */
  packsDir?: string | null;
  /** Extra pack folders, searched after `packsDir` (config `packsPaths`, ACTIONRUNNER_PACKS_PATH). @default [] */
  packsPaths?: readonly string[];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function moduleDir(): string | undefined {
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined; // bundled to CommonJS: import.meta is empty
  }
}

/**
 * The bundle's `packs` folder: the first `packs` directory found walking up from this module's
 * folder (works from `src/actions`, from a bundle in `.esbuild/` or `/var/task`), then from
 * `LAMBDA_TASK_ROOT` and the working directory.
 * @example defaultPacksDir() // '/work/main/packs'
 */
export function defaultPacksDir(): string {
  const starts = [moduleDir(), process.env.LAMBDA_TASK_ROOT, process.cwd()].filter((p): p is string => Boolean(p));
  for (const start of starts) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, 'packs');
      if (isDir(candidate)) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new NotFoundError(`packs folder not found: no "packs" directory above ${starts.join(', ')}`);
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidActionMetadataError(file, undefined, `not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}

function packName(packPath: string): string {
  const folder = path.basename(packPath);
  const packFile = ['pack.yaml', 'pack.yml'].map((f) => path.join(packPath, f)).find((f) => existsSync(f));
  if (packFile === undefined) return folder;
  const meta = readYaml(packFile);
  if (meta !== null && typeof meta === 'object' && typeof (meta as { ref?: unknown }).ref === 'string') {
    return (meta as { ref: string }).ref;
  }
  return folder;
}

/** Loads every action of the pack in `packPath` (`actions/*.yaml|yml`). */
export function loadPack(packPath: string): ActionDefinition[] {
  const pack = packName(packPath);
  const actionsDir = path.join(packPath, 'actions');
  if (!isDir(actionsDir)) return [];
  const actions: ActionDefinition[] = [];
  const names = new Map<string, string>();
  for (const entry of readdirSync(actionsDir).sort()) {
    if (!/\.ya?ml$/.test(entry)) continue;
    const file = path.join(actionsDir, entry);
    if (!statSync(file).isFile()) continue;
    const action = parseActionMetadata(readYaml(file), { file, packPath, pack });
    const previous = names.get(action.name);
    if (previous !== undefined) throw new InvalidActionMetadataError(file, 'name', `action "${action.name}" is already defined in ${previous}`);
    names.set(action.name, file);
    actions.push(action);
  }
  return actions;
}

/** Actions of every pack found, by ref. Disabled actions are listed; `getRunnable` refuses them. */
export class PackCatalog implements ActionCatalog {
  readonly #actions = new Map<string, ActionDefinition>();

  constructor(actions: Iterable<ActionDefinition>) {
    for (const action of actions) this.#actions.set(action.ref, action);
  }

  get(ref: string): ActionDefinition | undefined {
    return this.#actions.get(ref);
  }

  list(): ActionDefinition[] {
    return [...this.#actions.values()].sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** The action `ref`, or a `NotFoundError`; a disabled action is a `ValidationError`. */
  getRunnable(ref: string): ActionDefinition {
    const action = this.#actions.get(ref);
    if (action === undefined) throw new NotFoundError(`action not found: ${ref}`, { context: { action: ref } });
    assertRunnable(action);
    return action;
  }
}

/** Throws when the action is disabled (`enabled: false`): st2 refuses to run it. */
export function assertRunnable(action: ActionDefinition): void {
  if (!action.enabled) {
    throw new ValidationError(`action disabled: ${action.ref} - set "enabled: true" in ${action.metadataFile} to run it`, {
      context: { action: action.ref },
    });
  }
}

/**
 * Loads the bundle's packs and those of `packsPaths`. A pack folder is any sub-folder with an
 * `actions/` folder; a pack name found in two folders is an error (no silent shadowing).
 * Invalid metadata throws `InvalidActionMetadataError` (file + field).
 * @example loadActions({ packsPaths: config.packsPaths }).get('core.echo')
 */
export function loadActions(options: LoadActionsOptions = {}): PackCatalog {
  const packsDir = options.packsDir === undefined ? defaultPacksDir() : options.packsDir;
  const dirs = [...(packsDir === null ? [] : [packsDir]), ...(options.packsPaths ?? [])];
  const seenDirs = new Set<string>();
  const packs = new Map<string, string>();
  const actions: ActionDefinition[] = [];
  for (const dir of dirs) {
    if (!isDir(dir)) throw new NotFoundError(`packs folder not found: ${dir}`);
    const real = realpathSync(dir);
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    for (const entry of readdirSync(real).sort()) {
      const packPath = path.join(real, entry);
      if (entry.startsWith('.') || !isDir(path.join(packPath, 'actions'))) continue;
      const loaded = loadPack(packPath);
      const pack = loaded[0]?.pack ?? entry;
      const other = packs.get(pack);
      if (other !== undefined) throw new ValidationError(`duplicate pack: ${pack} - found in ${other} and ${packPath}`);
      packs.set(pack, packPath);
      actions.push(...loaded);
    }
  }
  return new PackCatalog(actions);
}
