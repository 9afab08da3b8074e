/**
 * Which interpreters the runners find where the actions function runs. Lambda's nodejs22.x runtime
 * has bash but no python3; the container image of the actions function (Dockerfile, `actionsImage`)
 * adds it. Probed once per process (per container) and PATH: an action whose runner needs a missing
 * interpreter loads as unavailable, saying which runner, which interpreter and the fix.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { canonicalRunnerType, runnerSpec } from './registry.ts';

/** Interpreter name -> its path on PATH, or `null` when not found. */
export type Interpreters = Readonly<Record<string, string | null>>;

/** Every interpreter a runner of the registry may need (see `RunnerSpec.interpreters`). */
export const PROBED_INTERPRETERS = ['python3', 'bash', 'sh'] as const;

/** The fix named by every "needs python3" message (README "Runners and what they need"). */
export const IMAGE_FIX =
  'deploy the actions function as the container image (scripts/push-actions-image.sh, then --param actionsImage=<image URI>; README "Runners and what they need")';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where `name` is on `pathValue` (colon-separated, as the child processes will search it), or null. */
export function which(name: string, pathValue: string | undefined): string | null {
  for (const dir of (pathValue ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return null;
}

const cache = new Map<string, Interpreters>();

/**
 * The interpreters found on `env.PATH`, probed once per PATH value in this process.
 * @example findInterpreters().python3 // '/usr/bin/python3', or null on Lambda's nodejs22.x
 */
export function findInterpreters(env: Readonly<Record<string, string | undefined>> = process.env): Interpreters {
  const key = env.PATH ?? '';
  let found = cache.get(key);
  if (!found) {
    found = Object.fromEntries(PROBED_INTERPRETERS.map((name) => [name, which(name, env.PATH)]));
    cache.set(key, found);
  }
  return found;
}

/**
 * Why `runnerType` cannot run with `interpreters`, or `undefined` when it can (or needs none).
 * @example interpreterProblem('python-script', { python3: null }) // 'runner python-script needs python3, ...'
 */
export function interpreterProblem(runnerType: string, interpreters: Interpreters): string | undefined {
  const needs = runnerSpec(runnerType)?.interpreters;
  if (!needs || needs.some((name) => interpreters[name])) return undefined;
  const wanted = needs.join(' or ');
  return `runner ${canonicalRunnerType(runnerType)} needs ${wanted}, which is not on PATH where the actions run - ${IMAGE_FIX}`;
}
