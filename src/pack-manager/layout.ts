/**
 * Where installed packs and their virtualenvs live. st2 keeps packs in /opt/stackstorm/packs/<pack> and their
 * virtualenvs in /opt/stackstorm/virtualenvs/<pack>; here the virtualenvs sit inside the packs folder, in
 * `.virtualenvs/<pack>` (the loader skips dot-folders), so that one folder holds everything a deploy ships.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Folder of the virtualenvs, inside a packs folder. */
export const VIRTUALENVS_DIR = '.virtualenvs';

/** What a shipped virtualenv keeps (the packaged form: no interpreter, only the libraries). */
export const SHIPPED_SITE_PACKAGES = 'site-packages';

/** The packs folder of the local runtime of `projectDir`: `.actionrunner/packs` (the runtime adds it to ACTIONRUNNER_PACKS_PATH). */
export function localPacksDir(projectDir: string): string {
  return path.join(path.resolve(projectDir), '.actionrunner', 'packs');
}

/** The virtualenv of the pack in `packPath` (`<packs folder>/.virtualenvs/<pack folder>`). */
export function virtualenvOf(packPath: string): string {
  return path.join(path.dirname(packPath), VIRTUALENVS_DIR, path.basename(packPath));
}

/** `lib/pythonX.Y/site-packages` of a virtualenv, when it has one. */
export function sitePackagesOf(venv: string): string | undefined {
  const lib = path.join(venv, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const entry of readdirSync(lib)) {
    const candidate = path.join(lib, entry, 'site-packages');
    if (entry.startsWith('python') && existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
  }
  return undefined;
}

/** How a python action of the pack in `packPath` runs: the interpreter, and a PYTHONPATH of shipped libraries. */
export interface PackInterpreter {
  python: string;
  /** The virtualenv's libraries when they shipped without its interpreter (a packaged stage). */
  pythonPath?: string;
  /** The virtualenv in use, if any. */
  virtualenv?: string;
}

/**
 * The interpreter of a pack's python actions, as st2 runs them: the pack's virtualenv's `bin/python` when it
 * has one (`pack install` made it); else `fallback` with the virtualenv's shipped `site-packages` on the path
 * (a deployed stage: the libraries travel in the artifact, the interpreter is the image's); else `fallback`.
 * @example interpreterFor('/app/.actionrunner/packs/jira', 'python3') // { python: '/app/.actionrunner/packs/.virtualenvs/jira/bin/python', ... }
 */
export function interpreterFor(packPath: string, fallback: string): PackInterpreter {
  const venv = virtualenvOf(packPath);
  const python = path.join(venv, 'bin', 'python');
  if (existsSync(python)) return { python, virtualenv: venv };
  const shipped = path.join(venv, SHIPPED_SITE_PACKAGES);
  if (existsSync(shipped)) return { python: fallback, pythonPath: shipped, virtualenv: venv };
  return { python: fallback };
}
