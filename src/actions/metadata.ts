import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ActionDefinition, ParameterSpec } from './types.ts';
import { InvalidActionMetadataError } from './errors.ts';
import { describeValue } from './cast.ts';
import { RUNNER_ALIASES, RUNNER_TYPES, ST2_RUNNERS_NOT_HERE, canonicalRunnerType, runnerParameters, runnerSpec } from '../runners/registry.ts';

/** Attributes of a runner parameter an action may override (st2's RUNNER_PARAM_OVERRIDABLE_ATTRS). */
export const RUNNER_PARAM_OVERRIDABLE_ATTRS: readonly string[] = ['default', 'description', 'enum', 'immutable', 'required'];

const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'null'];
/** st2's action metadata fields (ActionAPI), plus ours. Anything else is a typo worth reporting. */
const KNOWN_FIELDS = new Set([
  'name',
  'ref',
  'uid',
  'id',
  'pack',
  'description',
  'runner_type',
  'entry_point',
  'enabled',
  'parameters',
  'output_schema',
  'output_key',
  'tags',
  'notify',
  'metadata_file',
  'retry_on_abandon',
  'aws_credentials',
]);

/** Fields st2 requires (ActionAPI): `null` is not a value for them. */
const REQUIRED_FIELDS = ['name', 'runner_type'];

/** Where an action's metadata comes from. */
export interface MetadataSource {
  /** Absolute path of the metadata file (used in every error). */
  file: string;
  /** Absolute path of the pack folder. */
  packPath: string;
  /** Name of the pack the file lives in. */
  pack: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** st2's keywords of a parameter whose `null` means "not given" (st2 fills in its default); `default: null` is a value. */
const NULLABLE_PARAMETER_KEYWORDS = ['description', 'required', 'secret', 'immutable', 'position', 'enum'];

/** A copy of `raw` without the keys in `keys` whose value is null: YAML's `description:` with nothing after it. */
function withoutNulls(raw: Record<string, unknown>, keys: Iterable<string>): Record<string, unknown> {
  const out = { ...raw };
  for (const key of keys) if (out[key] === null) delete out[key];
  return out;
}

function validateParameter(file: string, name: string, given: unknown): ParameterSpec {
  const field = `parameters.${name}`;
  if (!isPlainObject(given)) throw new InvalidActionMetadataError(file, field, `expected an object, got ${describeValue(given)}`);
  const spec = withoutNulls(given, NULLABLE_PARAMETER_KEYWORDS);
  const fail = (key: string, expected: string): never => {
    throw new InvalidActionMetadataError(file, `${field}.${key}`, `expected ${expected}, got ${describeValue(spec[key])}`);
  };
  if (spec.type !== undefined && !PARAMETER_TYPES.includes(spec.type as string)) fail('type', `one of ${PARAMETER_TYPES.join(', ')}`);
  for (const key of ['required', 'secret', 'immutable']) {
    if (spec[key] !== undefined && typeof spec[key] !== 'boolean') fail(key, 'a boolean');
  }
  if (spec.description !== undefined && typeof spec.description !== 'string') fail('description', 'a string');
  if (spec.position !== undefined && !(Number.isInteger(spec.position) && (spec.position as number) >= 0)) fail('position', 'an integer >= 0');
  if (spec.enum !== undefined && !Array.isArray(spec.enum)) fail('enum', 'an array');
  return spec as ParameterSpec;
}

/**
 * Runner parameters merged with the action's, by st2's rules: an action may override only
 * `default, description, enum, immutable, required` of a runner parameter (other attributes
 * may be repeated with the same value), and not `immutable` when the runner declares it.
 */
export function mergeParameters(
  file: string,
  runnerParams: Record<string, ParameterSpec>,
  actionParams: Record<string, ParameterSpec>,
): Record<string, ParameterSpec> {
  const merged: Record<string, ParameterSpec> = {};
  for (const [name, spec] of Object.entries(actionParams)) {
    const runnerSpec = runnerParams[name];
    if (runnerSpec === undefined) {
      merged[name] = structuredClone(spec);
      continue;
    }
    for (const [attr, value] of Object.entries(spec)) {
      if (RUNNER_PARAM_OVERRIDABLE_ATTRS.includes(attr)) continue;
      if (JSON.stringify(runnerSpec[attr]) !== JSON.stringify(value)) {
        throw new InvalidActionMetadataError(
          file,
          `parameters.${name}.${attr}`,
          `the attribute "${attr}" of the runner parameter "${name}" cannot be overridden (only ${RUNNER_PARAM_OVERRIDABLE_ATTRS.join(', ')} can)`,
        );
      }
    }
    if (spec.immutable !== undefined && runnerSpec.immutable !== undefined) {
      throw new InvalidActionMetadataError(file, `parameters.${name}.immutable`, `the runner parameter "${name}" is declared immutable by the runner`);
    }
    merged[name] = { ...structuredClone(runnerSpec), ...structuredClone(spec) };
  }
  for (const [name, spec] of Object.entries(runnerParams)) {
    if (!(name in merged)) merged[name] = structuredClone(spec);
  }
  return merged;
}

function checkMergedParameters(file: string, params: Record<string, ParameterSpec>): void {
  const positions = new Map<number, string>();
  for (const [name, spec] of Object.entries(params)) {
    if (spec.immutable === true && !Object.hasOwn(spec, 'default')) {
      throw new InvalidActionMetadataError(file, `parameters.${name}.default`, `immutable parameter "${name}" requires a default value`);
    }
    if (spec.position !== undefined) {
      const other = positions.get(spec.position);
      if (other !== undefined) {
        throw new InvalidActionMetadataError(file, `parameters.${name}.position`, `position ${spec.position} is already used by "${other}"`);
      }
      positions.set(spec.position, name);
    }
  }
}

/**
 * The entry point's absolute path, for a runner that runs one: a file inside the pack's actions folder.
 * As st2, a runner that runs no entry point ignores one named in the metadata (nothing resolves or reads it).
 */
function resolveEntryPoint(source: MetadataSource, runnerType: string, entryPoint: string | undefined): string | undefined {
  if (!runnerSpec(runnerType)?.entryPoint) return undefined;
  const { file } = source;
  if (entryPoint === undefined)
    throw new InvalidActionMetadataError(
      file,
      'entry_point',
      `expected a file next to the metadata (required by runner ${runnerType}), got ${describeValue(entryPoint)}`,
    );
  const actionsDir = path.join(source.packPath, 'actions');
  const entryPointPath = path.resolve(actionsDir, entryPoint);
  if (!entryPointPath.startsWith(actionsDir + path.sep))
    throw new InvalidActionMetadataError(file, 'entry_point', `expected a path inside ${actionsDir}, got ${describeValue(entryPoint)}`);
  if (!existsSync(entryPointPath) || !statSync(entryPointPath).isFile())
    throw new InvalidActionMetadataError(file, 'entry_point', `file not found: ${entryPointPath}`);
  return entryPointPath;
}

/**
 * Validates one action's parsed metadata and returns its definition (runner parameters
 * merged). Throws `InvalidActionMetadataError` naming the file and the field.
 */
export function parseActionMetadata(parsed: unknown, source: MetadataSource): ActionDefinition {
  const { file } = source;
  if (!isPlainObject(parsed)) throw new InvalidActionMetadataError(file, undefined, `expected a mapping, got ${describeValue(parsed)}`);
  // st2 validates metadata with allow_default_none: an optional field given as null (`description:`
  // with nothing after it, 3,000 actions of the aws pack) is as if absent, its default applies.
  const raw = withoutNulls(
    parsed,
    Object.keys(parsed).filter((key) => !REQUIRED_FIELDS.includes(key)),
  );
  const fail = (field: string, expected: string): never => {
    throw new InvalidActionMetadataError(file, field, `expected ${expected}, got ${describeValue(raw[field])}`);
  };
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) throw new InvalidActionMetadataError(file, key, `unknown field (expected one of ${[...KNOWN_FIELDS].join(', ')})`);
  }
  if (typeof raw.name !== 'string' || !/^[\w.-]+$/.test(raw.name)) fail('name', 'a non-empty name of letters, digits, "_", "-", "."');
  const name = raw.name as string;
  const pack = raw.pack ?? source.pack;
  if (pack !== source.pack) fail('pack', `"${source.pack}" (the pack folder it is in)`);
  if (typeof raw.runner_type !== 'string') fail('runner_type', 'a string');
  const runnerType = canonicalRunnerType(raw.runner_type as string);
  if (runnerType === undefined) {
    const known = [...RUNNER_TYPES, ...Object.keys(RUNNER_ALIASES)].join(', ');
    if (ST2_RUNNERS_NOT_HERE.includes(raw.runner_type as string)) {
      throw new InvalidActionMetadataError(
        file,
        'runner_type',
        `runner "${raw.runner_type as string}" is an st2 runner this bundle does not have (it has: ${known}); the pack's other actions are not affected`,
      );
    }
    return fail('runner_type', `one of ${known}`);
  }
  if (raw.description !== undefined && typeof raw.description !== 'string') fail('description', 'a string');
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') fail('enabled', 'a boolean');
  if (raw.tags !== undefined && !Array.isArray(raw.tags)) fail('tags', 'an array');
  if (raw.retry_on_abandon !== undefined && typeof raw.retry_on_abandon !== 'boolean') fail('retry_on_abandon', 'a boolean');
  if (raw.aws_credentials !== undefined && typeof raw.aws_credentials !== 'boolean') fail('aws_credentials', 'a boolean');
  if (raw.parameters !== undefined && raw.parameters !== null && !isPlainObject(raw.parameters)) fail('parameters', 'an object of parameter specs');
  if (raw.entry_point !== undefined && raw.entry_point !== null && typeof raw.entry_point !== 'string') fail('entry_point', 'a string');

  const entryPoint = typeof raw.entry_point === 'string' && raw.entry_point !== '' ? raw.entry_point : undefined;
  const entryPointPath = resolveEntryPoint(source, runnerType, entryPoint);

  const actionParams: Record<string, ParameterSpec> = {};
  for (const [paramName, spec] of Object.entries((raw.parameters as Record<string, unknown> | null | undefined) ?? {})) {
    actionParams[paramName] = validateParameter(file, paramName, spec);
  }
  const parameters = mergeParameters(file, runnerParameters(runnerType), actionParams);
  checkMergedParameters(file, parameters);

  const definition: ActionDefinition = {
    ref: `${source.pack}.${name}`,
    name,
    pack: source.pack,
    description: (raw.description as string | undefined) ?? '',
    runner_type: runnerType,
    enabled: (raw.enabled as boolean | undefined) ?? true,
    packPath: source.packPath,
    metadataFile: file,
    parameters,
  };
  if (entryPoint !== undefined) definition.entry_point = entryPoint;
  if (entryPointPath !== undefined) definition.entryPointPath = entryPointPath;
  if (raw.tags !== undefined) definition.tags = raw.tags as unknown[];
  if (raw.retry_on_abandon !== undefined) definition.retry_on_abandon = raw.retry_on_abandon as boolean;
  if (raw.aws_credentials !== undefined) definition.aws_credentials = raw.aws_credentials as boolean;
  if (isPlainObject(raw.output_schema)) definition.output_schema = raw.output_schema;
  return definition;
}
