import type { ActionDefinition } from './types.ts';
import { castValue, describeValue } from './cast.ts';
import { InvalidParameterError, invalidParameter } from './errors.ts';
import { assertRunnable } from './catalog.ts';
import { type CompiledTemplate, compileTemplate, isTemplate, renderShellCommand, renderValue } from './render-template.ts';
import { runnerParameterNames, runnerSpec } from '../runners/registry.ts';
import { shellStartupVariablesIn } from '../process/env.ts';
import { validateValues } from './validate.ts';
import type { DatastoreSnapshot } from '../datastore/snapshot.ts';
import { DATASTORE_CONTEXT_KEY, templateDatastore } from '../datastore/template-filter.ts';
import { actionContext } from './action-context.ts';
import type { LoadedPackConfig } from '../pack-config/store.ts';

/** What `resolveParameters` returns. */
export interface ResolvedParameters {
  /** Final values for the runner: given values, defaults (rendered, cast), runner parameters included. */
  values: Record<string, unknown>;
  /** Names of parameters whose value is secret (mask them with `maskSecrets`). */
  secretNames: string[];
  /**
   * Environment variables the rendered shell command (`cmd` of local-shell-cmd) references: the
   * runner MUST add them to the child's environment, after the `env` parameter so they win.
   * Empty when no command was rendered.
   */
  commandEnv: Record<string, string>;
  /** Plaintexts of encrypted datastore keys the templates decrypted (`| decrypt_kv`): mask them like secret parameters. */
  datastoreSecrets: string[];
}

/** Options of `resolveParameters`. */
export interface ResolveOptions {
  /** What templates read as `action_context` (see `actionContext`). @default actionContext(action) */
  actionContext?: Record<string, unknown>;
  /** The datastore as read before rendering (`st2kv.system.x`, `| decrypt_kv`); without it a template naming `st2kv` is refused. */
  datastore?: DatastoreSnapshot;
  /** The pack's config (`config_context`), with its secret values; without it a template naming `config_context` is refused. */
  packConfig?: LoadedPackConfig;
}

/** st2's name for the pack's config in parameter templates. */
const CONFIG_CONTEXT = 'config_context';

/** st2's name for the running execution's context in parameter templates. */
const ACTION_CONTEXT = 'action_context';

/** A parameter default holding templates: its strings, compiled once per action. */
type TemplateDefault = { kind: 'template'; compiled: Map<string, CompiledTemplate>; references: string[] };
const compiledDefaults = new WeakMap<ActionDefinition, Map<string, TemplateDefault | null>>();

function templateStrings(value: unknown, into: string[]): void {
  if (isTemplate(value)) into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => templateStrings(v, into));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => templateStrings(v, into));
}

function templateDefault(action: ActionDefinition, name: string): TemplateDefault | null {
  let perAction = compiledDefaults.get(action);
  if (perAction === undefined) compiledDefaults.set(action, (perAction = new Map()));
  if (perAction.has(name)) return perAction.get(name) ?? null;
  const strings: string[] = [];
  templateStrings(action.parameters[name].default, strings);
  let entry: TemplateDefault | null = null;
  if (strings.length > 0) {
    const compiled = new Map<string, CompiledTemplate>();
    const references = new Set<string>();
    for (const source of strings) {
      try {
        const template = compileTemplate(source, `${action.ref}.${name}`);
        compiled.set(source, template);
        template.references.forEach((r) => references.add(r));
      } catch (error) {
        throw invalidParameter(name, `invalid template ${describeValue(source)}: ${templateMessage(error)}`, action.ref);
      }
    }
    entry = { kind: 'template', compiled, references: [...references] };
  }
  perAction.set(name, entry);
  return entry;
}

/** The detail of a template error: nunjucks wraps it as "Template render error: (name) [Line 1, Column 2]\n  Error: detail". */
export function templateMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/^Template render error:?\s*/, '')
    .replace(/^\([^)]*\)\s*/, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\b\w*Error: /, '')
    .trim();
}

function renderDeep(value: unknown, compiled: Map<string, CompiledTemplate>, context: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const template = compiled.get(value);
    return template === undefined ? value : renderValue(template, context);
  }
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, compiled, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, compiled, context)]));
  }
  return value;
}

/**
 * Validates, casts, renders and completes the parameters of one execution, as st2 does:
 * unknown names, immutable parameters given, required ones missing, enum and type mismatches
 * are `InvalidParameterError`s; string values given for typed parameters are cast; defaults are
 * rendered with Jinja over their dependency graph (cycles and unknown names are errors).
 *
 * SECURITY: only templates authored in the metadata (parameter defaults) are rendered. Values
 * given by the caller are data: `message='{{ 7*7 }}'` stays literal (st2 renders live values
 * too; we do not, so a caller can never run template code). The `cmd` of local-shell-cmd is
 * rendered shell-safely: interpolated values become `"${ST2_ARG_<name>}"` references and their
 * values are returned in `commandEnv` (see render-template.ts).
 * @example resolveParameters(catalog.getRunnable('core.echo'), { message: 'hi' })
 *   // { values: { message: 'hi', cmd: 'echo "${ST2_ARG_message}"', timeout: 60, ... },
 *   //   secretNames: [], commandEnv: { ST2_ARG_message: 'hi' } }
 */
export function resolveParameters(action: ActionDefinition, given: Record<string, unknown>, options: ResolveOptions = {}): ResolvedParameters {
  assertRunnable(action);
  const values = castGiven(action, given);
  const pending = templateDefaults(action, values);
  const commandEnv: Record<string, string> = {};
  const secretNames = new Set(secretParameterNames(action.parameters));
  const render = defaultRenderer(action, values, pending, commandEnv, options.actionContext ?? actionContext(action), {
    datastore: options.datastore,
    packConfig: options.packConfig,
    secretNames,
  });
  for (const name of [...pending.keys()]) render(name);
  for (const [name, spec] of Object.entries(action.parameters)) {
    if (spec.required === true && (values[name] === undefined || values[name] === null)) {
      throw invalidParameter(name, `is required by ${action.ref} but has no value`, action.ref);
    }
  }
  validateValues(action, values);
  assertNoShellStartupVariables(action, values);
  return {
    values,
    secretNames: [...secretNames].filter((name) => name in values),
    commandEnv,
    datastoreSecrets: [...(options.datastore?.revealed ?? []), ...(options.packConfig?.secrets ?? [])],
  };
}

/**
 * True when a parameter default of `action` reads the datastore (`st2kv`): the caller then reads
 * a DatastoreSnapshot before resolving. Throws as resolveParameters does on an invalid template.
 */
export function readsDatastore(action: ActionDefinition): boolean {
  return Object.keys(action.parameters).some((name) => templateDefault(action, name)?.references.includes(DATASTORE_NAME) === true);
}

const DATASTORE_NAME = 'st2kv';

/** True when a parameter default of `action` reads the pack's config (`config_context`). Throws as readsDatastore does. */
export function readsPackConfig(action: ActionDefinition): boolean {
  return Object.keys(action.parameters).some((name) => templateDefault(action, name)?.references.includes(CONFIG_CONTEXT) === true);
}

/** Refuses an `env` runner parameter that would make the action's shell run code of its own (see `isShellStartupVariable`). */
function assertNoShellStartupVariables(action: ActionDefinition, values: Record<string, unknown>): void {
  const env = values.env;
  if (!runnerParameterNames(action.runner_type).includes('env') || env === null || typeof env !== 'object' || Array.isArray(env)) return;
  const refused = shellStartupVariablesIn(env as Record<string, unknown>);
  if (refused.length > 0) {
    throw invalidParameter(
      'env',
      `cannot set ${refused.join(', ')}: shell start-up variables (BASH_ENV, ENV, SHELLOPTS, BASHOPTS, PS4, BASH_FUNC_*) make the shell run code before the command`,
      action.ref,
    );
  }
}

/** The values the caller gave, cast to their parameters' types; unknown and immutable parameters refused. */
function castGiven(action: ActionDefinition, given: Record<string, unknown>): Record<string, unknown> {
  const specs = action.parameters;
  const allowed = Object.keys(specs).filter((n) => specs[n].immutable !== true);
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(specs, name)) {
      throw invalidParameter(name, `unknown parameter for ${action.ref} (allowed: ${allowed.join(', ') || 'none'})`, action.ref);
    }
    if (specs[name].immutable === true) throw invalidParameter(name, `is immutable in ${action.ref} and cannot be given`, action.ref);
    values[name] = castValue(name, specs[name], value);
  }
  return values;
}

/** Fills in plain defaults of the parameters not given (into `values`); returns those whose default is a template, to render. */
function templateDefaults(action: ActionDefinition, values: Record<string, unknown>): Map<string, TemplateDefault> {
  const pending = new Map<string, TemplateDefault>();
  for (const [name, spec] of Object.entries(action.parameters)) {
    if (Object.hasOwn(values, name)) continue;
    if (!Object.hasOwn(spec, 'default') || spec.default === undefined) {
      if (spec.required === true) throw invalidParameter(name, `is required by ${action.ref} but was not given`, action.ref);
      continue;
    }
    const template = templateDefault(action, name);
    if (template === null) values[name] = structuredClone(spec.default);
    else pending.set(name, template);
  }
  return pending;
}

/**
 * Renders one template default after the parameters it references (depth first, cycles refused),
 * into `values`; a shell command parameter's interpolations go to `commandEnv`.
 */
function defaultRenderer(
  action: ActionDefinition,
  values: Record<string, unknown>,
  pending: Map<string, TemplateDefault>,
  commandEnv: Record<string, string>,
  executionContext: Record<string, unknown>,
  kv: { datastore?: DatastoreSnapshot; packConfig?: LoadedPackConfig; secretNames: Set<string> },
): (name: string) => void {
  const specs = action.parameters;
  const shellParams = runnerSpec(action.runner_type)?.shellCommandParameters ?? [];
  const resolving: string[] = [];
  const render = (name: string): void => {
    const template = pending.get(name);
    if (template === undefined) return;
    if (resolving.includes(name)) {
      const cycle = [...resolving.slice(resolving.indexOf(name)), name];
      throw new InvalidParameterError(`cyclic parameter references: ${cycle.join(' -> ')}`, { parameter: name, action: action.ref });
    }
    resolving.push(name);
    const context: Record<string, unknown> = {};
    for (const ref of template.references) {
      if (ref === DATASTORE_NAME && !Object.hasOwn(specs, ref)) {
        if (!kv.datastore) {
          throw new InvalidParameterError(`parameter "${name}" references "st2kv": the datastore is not available here`, {
            parameter: name,
            action: action.ref,
          });
        }
        context.st2kv = templateDatastore(kv.datastore, [...template.compiled.keys()]);
        context[DATASTORE_CONTEXT_KEY] = kv.datastore;
        continue;
      }
      if (ref === CONFIG_CONTEXT && !Object.hasOwn(specs, ref)) {
        if (!kv.packConfig) {
          throw new InvalidParameterError(`parameter "${name}" references "config_context": the pack config is not available here`, {
            parameter: name,
            action: action.ref,
          });
        }
        context[ref] = kv.packConfig.config;
        continue;
      }
      if (ref === ACTION_CONTEXT && !Object.hasOwn(specs, ref)) {
        context[ref] = executionContext;
        continue;
      }
      if (!Object.hasOwn(specs, ref)) {
        throw new InvalidParameterError(`parameter "${name}" references unknown name "${ref}"`, { parameter: name, action: action.ref });
      }
      render(ref);
      context[ref] = values[ref];
    }
    resolving.pop();
    pending.delete(name);
    const spec = specs[name];
    const revealsBefore = kv.datastore?.reveals ?? 0;
    try {
      if (shellParams.includes(name) && typeof spec.default === 'string') {
        const rendered = renderShellCommand(template.compiled.get(spec.default) as CompiledTemplate, context);
        Object.assign(commandEnv, rendered.env);
        values[name] = rendered.command;
      } else {
        // st2 casts rendered strings back to the parameter's type ("{{count}}" into an integer).
        values[name] = castValue(name, spec, renderDeep(spec.default, template.compiled, context));
      }
    } catch (error) {
      if (error instanceof InvalidParameterError) throw error;
      throw invalidParameter(name, `cannot render ${describeValue(spec.default)}: ${templateMessage(error)}`, action.ref);
    }
    // A value made from a decrypted key is a secret parameter from now on (masked wherever shown).
    if ((kv.datastore?.reveals ?? 0) > revealsBefore) kv.secretNames.add(name);
    // So is one that holds a secret value of the pack's config.
    const secrets = kv.packConfig?.secrets ?? [];
    if (secrets.length > 0 && template.references.includes(CONFIG_CONTEXT)) {
      const text = typeof values[name] === 'string' ? (values[name] as string) : JSON.stringify(values[name]);
      if (secrets.some((secret) => text.includes(secret))) kv.secretNames.add(name);
    }
  };
  return render;
}

/** The names of the parameters marked `secret: true` (st2's): their values are masked wherever they are shown or stored. */
export function secretParameterNames(parameters: Readonly<Record<string, { secret?: boolean }>> = {}): string[] {
  return Object.keys(parameters).filter((name) => parameters[name].secret === true);
}
