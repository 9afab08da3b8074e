import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parsePackYaml } from '../shared/pack-yaml.ts';
import { defaultPacksDir } from '../actions/loader.ts';
import { InvalidPackError, redactUrlCredentials } from './errors.ts';
import { VIRTUALENVS_DIR } from './layout.ts';
import { fetchSource, isGitUrl } from './source.ts';
import { createVirtualenv, hostPipCanTarget, installRequirements } from './virtualenv.ts';

/** Options of `installPack`. */
export interface InstallPackOptions {
  /** The packs folder to install into (the local runtime's `.actionrunner/packs`, or a folder given to a deploy's packsPath). */
  packsDir: string;
  /** Interpreter that creates the virtualenv. @default 'python3' */
  python?: string;
  /** Names no installed pack may take (the bundle's own packs). @default the packs of defaultPacksDir() */
  reserved?: readonly string[];
  /** Told each step as it begins. */
  progress?: (step: string) => void;
}

/** A pack in a packs folder, as `pack list` shows it. */
export interface InstalledPack {
  name: string;
  version: string;
  description: string;
  path: string;
  /** The pack's virtualenv, when it has one. */
  virtualenv?: string;
}

/** What `installPack` did. */
export interface InstallOutcome extends InstalledPack {
  /** True when a pack of that name was there before and was replaced. */
  updated: boolean;
  /** Requirements installed from requirements.txt (its non-empty, non-comment lines). */
  requirements: string[];
}

const PACK_NAME = /^[A-Za-z0-9_-]+$/;

function readMeta(dir: string): Record<string, unknown> {
  const file = ['pack.yaml', 'pack.yml'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (!file) return {};
  let meta: unknown;
  try {
    meta = parsePackYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidPackError(`invalid pack: ${file} - not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta))
    throw new InvalidPackError(`invalid pack: ${file} - expected a mapping (ref, name, version...)`);
  return meta as Record<string, unknown>;
}

/** The pack's name: pack.yaml's `ref`, else its `name`, else the folder's (st2's order). */
function packNameOf(dir: string, meta: Record<string, unknown>, fallback: string): string {
  const name = [meta.ref, meta.name].find((v): v is string => typeof v === 'string' && v !== '') ?? fallback;
  if (!PACK_NAME.test(name))
    throw new InvalidPackError(`invalid pack: ${dir} - its name "${name}" may only hold letters, digits, _ and - (set "ref" in pack.yaml)`);
  return name;
}

function describe(dir: string, name: string, meta: Record<string, unknown>): InstalledPack {
  const venv = path.join(path.dirname(dir), VIRTUALENVS_DIR, path.basename(dir));
  return {
    name,
    version: typeof meta.version === 'string' || typeof meta.version === 'number' ? String(meta.version) : '',
    description: typeof meta.description === 'string' ? meta.description : '',
    path: dir,
    ...(existsSync(venv) ? { virtualenv: venv } : {}),
  };
}

function requirementLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('-'))
    .map(redactUrlCredentials);
}

function reservedNames(): string[] {
  try {
    return readdirSync(defaultPacksDir());
  } catch {
    return [];
  }
}

/** Whether the pack has python actions to give a virtualenv to (an entry point in .py, or a requirements.txt). */
function wantsVirtualenv(dir: string): boolean {
  if (existsSync(path.join(dir, 'requirements.txt'))) return true;
  const actions = path.join(dir, 'actions');
  return readdirSync(actions, { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.py'));
}

/**
 * st2's `pack install`: copies the pack (a folder, or a git URL cloned with --depth 1) into `packsDir/<pack>`,
 * creates its virtualenv in `packsDir/.virtualenvs/<pack>` with `python3 -m venv` and installs its
 * `requirements.txt` there with pip. Everything is built beside the installed pack and swapped in at the end:
 * a failed install (git, venv, pip) leaves the pack installed before as it was. Installing an installed pack updates it.
 * @example await installPack('./mypack', { packsDir: localPacksDir(process.cwd()) })
 */
export async function installPack(source: string, options: InstallPackOptions): Promise<InstallOutcome> {
  const progress = options.progress ?? (() => {});
  const shown = redactUrlCredentials(source);
  if (isGitUrl(source)) progress(`cloning ${shown}`);
  const fetched = await fetchSource(source);
  const staging = path.join(options.packsDir, `.staging-${process.pid}-${Date.now()}`);
  try {
    const actions = path.join(fetched.dir, 'actions');
    if (!existsSync(actions) || !statSync(actions).isDirectory())
      throw new InvalidPackError(`invalid pack: ${shown} - expected a pack folder with an actions/ folder (st2's layout: actions/<name>.yaml), found none`);
    const meta = readMeta(fetched.dir);
    const name = packNameOf(shown, meta, path.basename(fetched.kind === 'git' ? source.replace(/\/+$/, '').replace(/\.git$/, '') : fetched.dir));
    if ((options.reserved ?? reservedNames()).includes(name))
      throw new InvalidPackError(`invalid pack: ${shown} - "${name}" is the name of a pack the bundle ships; rename the pack (ref in pack.yaml)`);
    mkdirSync(staging, { recursive: true });
    const stagedPack = path.join(staging, 'pack');
    progress(`copying ${name} into ${options.packsDir}`);
    cpSync(fetched.dir, stagedPack, { recursive: true, dereference: true, filter: (from) => path.basename(from) !== '.git' });
    const requirementsFile = path.join(stagedPack, 'requirements.txt');
    const requirements = existsSync(requirementsFile) ? requirementLines(requirementsFile) : [];
    const stagedVenv = path.join(staging, 'venv');
    const withVenv = wantsVirtualenv(stagedPack);
    if (withVenv) {
      progress(`creating the virtualenv of ${name} (python -m venv)`);
      const python = options.python ?? 'python3';
      const hasRequirements = existsSync(requirementsFile);
      const hostPip = hasRequirements && (await hostPipCanTarget(python));
      await createVirtualenv(python, stagedVenv, hasRequirements && !hostPip);
      if (hasRequirements) {
        progress(`installing ${name}'s requirements.txt (pip): ${requirements.join(', ') || 'nothing listed'}`);
        await installRequirements(stagedVenv, requirementsFile, hostPip ? python : undefined);
      }
    }
    const target = path.join(options.packsDir, name);
    const venvTarget = path.join(options.packsDir, VIRTUALENVS_DIR, name);
    const updated = existsSync(target);
    rmSync(target, { recursive: true, force: true });
    rmSync(venvTarget, { recursive: true, force: true });
    renameSync(stagedPack, target);
    if (withVenv) {
      mkdirSync(path.dirname(venvTarget), { recursive: true });
      renameSync(stagedVenv, venvTarget);
    }
    return { ...describe(target, name, meta), updated, requirements };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    fetched.cleanup();
  }
}

/** The packs installed in `packsDir` (every folder with an actions/ folder), by name. */
export function listPacks(packsDir: string): InstalledPack[] {
  if (!existsSync(packsDir)) return [];
  return readdirSync(packsDir)
    .filter((entry) => !entry.startsWith('.') && existsSync(path.join(packsDir, entry, 'actions')))
    .sort()
    .map((entry) => {
      const dir = path.join(packsDir, entry);
      let meta: Record<string, unknown> = {};
      try {
        meta = readMeta(dir);
      } catch {
        // An unreadable pack.yaml still lists the pack, by its folder.
      }
      return describe(dir, entry, meta);
    });
}

/** Removes an installed pack and its virtualenv; false when `packsDir` has no pack of that name. */
export function removePack(packsDir: string, name: string): boolean {
  if (!PACK_NAME.test(name)) throw new InvalidPackError(`invalid pack name: "${name}" - expected letters, digits, _ and -`);
  const dir = path.join(packsDir, name);
  if (!existsSync(path.join(dir, 'actions'))) return false;
  rmSync(dir, { recursive: true, force: true });
  rmSync(path.join(packsDir, VIRTUALENVS_DIR, name), { recursive: true, force: true });
  return true;
}
