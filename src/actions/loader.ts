import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../model/errors.ts';
import type { ActionDefinition, UnavailableAction } from './types.ts';
import { PackCatalog } from './catalog.ts';
import { SUDO_UNSUPPORTED } from '../runners/common.ts';
import { findInterpreters, interpreterProblem, type Interpreters } from '../runners/interpreters.ts';
import { InvalidActionMetadataError } from './errors.ts';
import { DEFAULT_MAX_YAML_ALIASES, parsePackYaml } from '../shared/pack-yaml.ts';
import { parseActionMetadata } from './metadata.ts';
import { InvalidPolicyMetadataError, parsePolicyMetadata, PolicyCatalog, type PolicyDefinition, type UnavailablePolicy } from '../policies/index.ts';

/** Options of `loadActions`. */
export interface LoadActionsOptions {
  /**
   * Folder holding the bundle's own packs (`core`, `examples`); `null` loads none.
   * @default defaultPacksDir()
   */
  packsDir?: string | null;
  /** Extra pack folders, searched after `packsDir` (config `packsPaths`, ACTIONRUNNER_PACKS_PATH). @default [] */
  packsPaths?: readonly string[];
  /**
   * Scan only the packs of these names (every pack.yaml is still read, so a duplicate pack is still found):
   * what `run core.echo` needs, without parsing the metadata of every other pack. @default every pack
   */
  packs?: readonly string[];
  /**
   * The interpreters where the actions run: an action whose runner needs one that is missing (python3 on
   * Lambda's nodejs22.x) loads as unavailable. @default findInterpreters() (this process's PATH)
   */
  interpreters?: Interpreters;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

// A dangling symlink or an unreadable entry is skipped, not fatal.
function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
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

/** Largest metadata file read (st2 metadata is a few KiB): a bigger one is refused before parsing. */
export const MAX_METADATA_BYTES = 256 * 1024;
/** Aliases one metadata file may dereference: YAML's alias expansion is the "billion laughs" bomb. */
export const MAX_YAML_ALIASES = DEFAULT_MAX_YAML_ALIASES;

type MetadataError = new (file: string, field: string | undefined, detail: string, options?: { cause?: unknown }) => Error;

/** Reads one metadata file, bounded; a problem is thrown as `Invalid` (action or policy metadata). */
function readYaml(file: string, Invalid: MetadataError = InvalidActionMetadataError): unknown {
  const size = statSync(file).size;
  if (size > MAX_METADATA_BYTES) {
    throw new Invalid(file, undefined, `file too large: ${size} bytes, expected at most ${MAX_METADATA_BYTES}`);
  }
  try {
    return parsePackYaml(readFileSync(file, 'utf8'), { maxAliases: MAX_YAML_ALIASES });
  } catch (error) {
    throw new Invalid(file, undefined, `not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}

/** A caught load error as an unavailable entry (InvalidActionMetadataError names the file and field). */
function problem(ref: string, file: string, error: unknown): UnavailableAction {
  if (error instanceof InvalidActionMetadataError)
    return { ref, file: error.file, ...(error.field === undefined ? {} : { field: error.field }), reason: error.message };
  return { ref, file, reason: `could not load: ${file} - ${(error as Error).message}` };
}

/** The pack's name (`ref` of pack.yaml, else the folder's), and the problem of an unreadable pack.yaml. */
function packName(packPath: string): { pack: string; problem?: UnavailableAction } {
  const folder = path.basename(packPath);
  const packFile = ['pack.yaml', 'pack.yml'].map((f) => path.join(packPath, f)).find((f) => existsSync(f));
  if (packFile === undefined) return { pack: folder };
  try {
    const meta = readYaml(packFile);
    const ref = meta !== null && typeof meta === 'object' ? (meta as { ref?: unknown }).ref : undefined;
    return { pack: typeof ref === 'string' ? ref : folder };
  } catch (error) {
    return { pack: folder, problem: problem(folder, packFile, error) };
  }
}

/**
 * Why a valid action still cannot run here: `sudo` immutable and true (core.local_sudo) asks for
 * sudo, which this platform refuses; its runner needs an interpreter that is not here (python3).
 */
function platformProblem(action: ActionDefinition, interpreters: Interpreters): UnavailableAction | undefined {
  const missing = interpreterProblem(action.runner_type, interpreters);
  if (missing) return { ref: action.ref, file: action.metadataFile, field: 'runner_type', reason: missing };
  const sudo = action.parameters.sudo;
  if (sudo?.immutable === true && sudo.default === true) {
    return {
      ref: action.ref,
      file: action.metadataFile,
      field: 'parameters.sudo',
      reason: `${SUDO_UNSUPPORTED} (it is immutable true in ${action.metadataFile})`,
    };
  }
  return undefined;
}

/** One pack scanned: the actions and policies that loaded, and why the others did not. */
export interface PackScan {
  pack: string;
  actions: ActionDefinition[];
  unavailable: UnavailableAction[];
  policies: PolicyDefinition[];
  unavailablePolicies: UnavailablePolicy[];
}

/**
 * The pack's `policies/*.yaml|yml`: one bad file costs only its own policy (never the pack's actions);
 * two files with one name are both refused.
 */
function scanPolicies(packPath: string, pack: string): Pick<PackScan, 'policies' | 'unavailablePolicies'> {
  const scan: Pick<PackScan, 'policies' | 'unavailablePolicies'> = { policies: [], unavailablePolicies: [] };
  const dir = path.join(packPath, 'policies');
  if (!isDir(dir)) return scan;
  const files = new Map<string, string[]>();
  for (const entry of readdirSync(dir).sort()) {
    const file = path.join(dir, entry);
    if (!/\.ya?ml$/.test(entry) || !isFile(file)) continue;
    try {
      const policy = parsePolicyMetadata(readYaml(file, InvalidPolicyMetadataError), { file, pack });
      files.set(policy.ref, [...(files.get(policy.ref) ?? []), file]);
      scan.policies.push(policy);
    } catch (error) {
      const known = error instanceof InvalidPolicyMetadataError;
      scan.unavailablePolicies.push({
        ref: `${pack}.${entry.replace(/\.ya?ml$/, '')}`,
        file,
        ...(known && error.field !== undefined ? { field: error.field } : {}),
        reason: known ? error.message : `could not load: ${file} - ${(error as Error).message}`,
      });
    }
  }
  for (const [ref, defined] of files) {
    if (defined.length < 2) continue;
    const reason = new InvalidPolicyMetadataError(defined[1], 'name', `policy "${ref.slice(pack.length + 1)}" is defined in ${defined.join(' and ')}`).message;
    scan.unavailablePolicies.push({ ref, file: defined[1], field: 'name', reason });
  }
  scan.policies = scan.policies.filter((policy) => files.get(policy.ref)!.length === 1);
  return scan;
}

/**
 * Loads every action of the pack in `packPath` (`actions/*.yaml|yml`); one bad file costs only its
 * own action: invalid YAML or metadata, a missing entry point, two files with one name (both refused).
 * @example scanPack('/opt/packs/mypack').unavailable // [{ ref: 'mypack.bad', file, field: 'runner_type', reason }]
 */
export function scanPack(packPath: string, interpreters: Interpreters = findInterpreters()): PackScan {
  const { pack, problem: packProblem } = packName(packPath);
  const scan: PackScan = { pack, actions: [], unavailable: packProblem ? [packProblem] : [], ...scanPolicies(packPath, pack) };
  const actionsDir = path.join(packPath, 'actions');
  if (!isDir(actionsDir)) return scan;
  const files = new Map<string, string[]>();
  for (const entry of readdirSync(actionsDir).sort()) {
    if (!/\.ya?ml$/.test(entry)) continue;
    const file = path.join(actionsDir, entry);
    if (!isFile(file)) continue;
    // Until its metadata is read, an action is known by its file name.
    const fallbackRef = `${pack}.${entry.replace(/\.ya?ml$/, '')}`;
    let action: ActionDefinition;
    try {
      action = parseActionMetadata(readYaml(file), { file, packPath, pack });
    } catch (error) {
      scan.unavailable.push(problem(fallbackRef, file, error));
      continue;
    }
    files.set(action.ref, [...(files.get(action.ref) ?? []), file]);
    scan.actions.push(action);
  }
  for (const [ref, defined] of files) {
    if (defined.length < 2) continue;
    const reason = new InvalidActionMetadataError(defined[1], 'name', `action "${ref.slice(pack.length + 1)}" is defined in ${defined.join(' and ')}`).message;
    scan.unavailable.push({ ref, file: defined[1], field: 'name', reason });
  }
  scan.actions = scan.actions.filter((action) => {
    const refused = files.get(action.ref)!.length > 1 ? undefined : platformProblem(action, interpreters);
    if (refused) scan.unavailable.push(refused);
    return files.get(action.ref)!.length === 1 && refused === undefined;
  });
  return scan;
}

/**
 * Loads the bundle's packs and those of `packsPaths`. A pack folder is any sub-folder with an
 * `actions/` folder. A bad action, pack or folder is recorded in the catalog's `listUnavailable()`
 * (file, field, reason) and everything else loads: a pack name found in two folders keeps the first
 * (no silent shadowing: the second is reported).
 * @example loadActions({ packsPaths: config.packsPaths }).get('core.echo')
 */
export function loadActions(options: LoadActionsOptions = {}): PackCatalog {
  const packsDir = options.packsDir === undefined ? defaultPacksDir() : options.packsDir;
  const dirs = [...(packsDir === null ? [] : [packsDir]), ...(options.packsPaths ?? [])];
  const interpreters = options.interpreters ?? findInterpreters();
  const seenDirs = new Set<string>();
  const packs = new Map<string, string>();
  const actions: ActionDefinition[] = [];
  const unavailable: UnavailableAction[] = [];
  const policies: PolicyDefinition[] = [];
  const unavailablePolicies: UnavailablePolicy[] = [];
  for (const dir of dirs) {
    if (!isDir(dir)) {
      unavailable.push({ ref: dir, file: dir, reason: `packs folder not found: ${dir} - not a directory (check ACTIONRUNNER_PACKS_PATH)` });
      continue;
    }
    const real = realpathSync(dir);
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    for (const entry of readdirSync(real).sort()) {
      const packPath = path.join(real, entry);
      if (entry.startsWith('.') || !isDir(path.join(packPath, 'actions'))) continue;
      const { pack } = packName(packPath);
      const wanted = options.packs === undefined || options.packs.includes(pack);
      const other = packs.get(pack);
      if (other !== undefined) {
        if (wanted)
          unavailable.push({ ref: pack, file: packPath, reason: `duplicate pack: ${pack} - found in ${other} and ${packPath} (the second is ignored)` });
        continue;
      }
      packs.set(pack, packPath);
      if (!wanted) continue;
      const scan = scanPack(packPath, interpreters);
      actions.push(...scan.actions);
      unavailable.push(...scan.unavailable);
      policies.push(...scan.policies);
      unavailablePolicies.push(...scan.unavailablePolicies);
    }
  }
  return new PackCatalog(actions, unavailable, new PolicyCatalog(policies, unavailablePolicies));
}
