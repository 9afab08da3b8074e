/**
 * The function catalog orquesta registers for BOTH syntaxes (entry points
 * `orquesta.expressions.functions` of orquesta and of st2's orquesta runner): workflow functions
 * (`ctx`, `result`, `task`, `item`, `succeeded`, ...) and st2's data/regex/path/time/version helpers.
 * YAQL calls them as functions (`<% to_json_string(ctx(x)) %>`); Jinja as globals and filters
 * (`{{ ctx(x) | to_json_string }}`).
 */
import type { CatalogFunction } from './call-args.ts';
import { ORQUESTA_FUNCTIONS } from './orquesta-functions.ts';
import { VERSION_FUNCTIONS } from './semver.ts';
import { ST2_FUNCTIONS } from './st2-functions.ts';

export type { CatalogFunction } from './call-args.ts';

/** Every function expressions may call, by name. */
export const CATALOG: Record<string, CatalogFunction> = {
  ...ORQUESTA_FUNCTIONS,
  ...ST2_FUNCTIONS,
  ...VERSION_FUNCTIONS,
};
