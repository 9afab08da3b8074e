/**
 * A pack's configuration (st2's `config.schema.yaml` beside pack.yaml): the schema is a mapping of property
 * name to a JSON-schema spec with st2's keywords (`required: true` on the property, `default`, `secret`).
 * A config is validated against it, and its defaults filled in, as st2's config loader does.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parsePackYaml } from '../shared/pack-yaml.ts';
import { ValidationError } from '../model/errors.ts';

/** A property's spec in config.schema.yaml. */
export type ConfigPropertySpec = Record<string, unknown> & { required?: unknown; secret?: unknown; properties?: Record<string, ConfigPropertySpec> };
export type ConfigSchema = Record<string, ConfigPropertySpec>;

/** The config of a pack was refused (not valid against the schema, not a mapping, no such pack). */
export class InvalidPackConfigError extends ValidationError {
  override name = 'InvalidPackConfigError';
}

/** What a secret config value is shown as. */
export const MASK = '********';

/** The pack's `config.schema.yaml` (or .yml), or undefined when it has none. */
export function loadConfigSchema(packPath: string): ConfigSchema | undefined {
  const file = ['config.schema.yaml', 'config.schema.yml'].map((f) => path.join(packPath, f)).find((f) => existsSync(f));
  if (!file) return undefined;
  // Every python and node action reads its pack's schema when it runs: parse a file once, again when it changes.
  const { mtimeMs, size } = statSync(file);
  const cached = parsedSchemas.get(file);
  if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached.schema;
  const schema = parseConfigSchema(file);
  parsedSchemas.set(file, { mtimeMs, size, schema });
  return schema;
}

const parsedSchemas = new Map<string, { mtimeMs: number; size: number; schema: ConfigSchema }>();

function parseConfigSchema(file: string): ConfigSchema {
  let schema: unknown;
  try {
    schema = parsePackYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidPackConfigError(`invalid config schema: ${file} - not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (schema === null || schema === undefined) return {};
  if (typeof schema !== 'object' || Array.isArray(schema))
    throw new InvalidPackConfigError(
      `invalid config schema: ${file} - expected a mapping of property name to its spec, got ${Array.isArray(schema) ? 'a list' : typeof schema}`,
    );
  return schema as ConfigSchema;
}

// st2's per-property `required: true` and `secret` become JSON schema's `required: [...]` of the parent.
function objectSchema(properties: ConfigSchema): Record<string, unknown> {
  const required = Object.keys(properties).filter((name) => properties[name]?.required === true);
  const converted = Object.fromEntries(Object.entries(properties).map(([name, spec]) => [name, propertySchema(spec)]));
  return { type: 'object', properties: converted, ...(required.length ? { required } : {}) };
}

// st2's keywords may sit at any depth (the email pack's `items: { properties: { name: { required: true } } }`):
// every nested schema is converted the same way.
function propertySchema(spec: ConfigPropertySpec): Record<string, unknown> {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return {};
  const { required, secret: _secret, properties, items, additionalProperties, patternProperties, anyOf, oneOf, allOf, ...rest } = spec;
  const nested = (value: unknown) => propertySchema(value as ConfigPropertySpec);
  const many = (value: unknown) => (Array.isArray(value) ? value.map(nested) : undefined);
  const bySpec = (value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).map(([key, sub]) => [key, nested(sub)])) : undefined;
  const converted: Record<string, unknown> = { ...rest };
  // JSON schema's own `required: [names]` is kept; st2's boolean one is its parent's business.
  if (Array.isArray(required)) converted.required = required;
  if (items !== undefined) converted.items = Array.isArray(items) ? many(items) : nested(items);
  if (additionalProperties !== undefined)
    converted.additionalProperties = typeof additionalProperties === 'boolean' ? additionalProperties : nested(additionalProperties);
  if (patternProperties !== undefined) converted.patternProperties = bySpec(patternProperties);
  for (const [key, value] of [
    ['anyOf', anyOf],
    ['oneOf', oneOf],
    ['allOf', allOf],
  ] as const)
    if (value !== undefined) converted[key] = many(value);
  if (properties && typeof properties === 'object') {
    const object = objectSchema(properties);
    const names = [...((converted.required as string[] | undefined) ?? []), ...((object.required as string[] | undefined) ?? [])];
    return { ...converted, ...object, ...(names.length ? { required: [...new Set(names)] } : {}) };
  }
  return converted;
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false, coerceTypes: false });

/**
 * `config` validated against `schema`, with the schema's defaults filled in (a copy). With `validate: false`
 * only the defaults are filled (what an execution reads: a pack with no config set still gets its defaults).
 * @throws InvalidPackConfigError naming each field at fault, what it expected and what was given.
 */
export function applySchema(pack: string, schema: ConfigSchema | undefined, config: unknown, options: { validate?: boolean } = {}): Record<string, unknown> {
  if (config === null || config === undefined) config = {};
  if (typeof config !== 'object' || Array.isArray(config))
    throw new InvalidPackConfigError(
      `invalid pack config: ${pack} - expected a mapping of option to value, got ${Array.isArray(config) ? 'a list' : typeof config}`,
    );
  const copy = structuredClone(config) as Record<string, unknown>;
  if (!schema) return copy;
  let validate = validators.get(schema);
  try {
    validate ??= ajv.compile(objectSchema(schema));
  } catch (error) {
    // A schema ajv cannot take fails every run the same way: say so, rather than let the run be retried.
    throw new InvalidPackConfigError(`invalid config schema: ${pack} - config.schema.yaml: ${(error as Error).message}`, { cause: error });
  }
  validators.set(schema, validate);
  const valid = validate(copy);
  if (!valid && options.validate !== false) {
    const problems = (validate.errors ?? []).map((e) => {
      const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || (e.params as { missingProperty?: string }).missingProperty || '(config)';
      const given = e.keyword === 'required' ? 'missing' : JSON.stringify(e.instancePath ? valueAt(copy, e.instancePath) : copy);
      return `${where}: ${e.message} (given: ${isSecretPath(schema, e.instancePath) ? MASK : given})`;
    });
    throw new InvalidPackConfigError(`invalid pack config: ${pack} - ${problems.join('; ')}`);
  }
  return copy;
}

/** Compiled once per parsed schema (ajv keeps every schema object it compiles: a fresh one per run would grow it). */
const validators = new WeakMap<ConfigSchema, ValidateFunction>();

function valueAt(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), value);
}

function isSecretPath(schema: ConfigSchema, pointer: string): boolean {
  let specs: ConfigSchema | undefined = schema;
  for (const key of pointer.split('/').slice(1)) {
    const spec: ConfigPropertySpec | undefined = specs?.[key];
    if (!spec) return false;
    if (spec.secret === true) return true;
    specs = spec.properties;
  }
  return false;
}

/** Walks the values at `secret: true` properties (nested ones included). */
function eachSecret(schema: ConfigSchema, config: Record<string, unknown>, visit: (holder: Record<string, unknown>, key: string) => void): void {
  for (const [name, spec] of Object.entries(schema)) {
    if (!spec || typeof spec !== 'object' || !Object.hasOwn(config, name)) continue;
    const value = config[name];
    if (spec.secret === true) visit(config, name);
    else if (spec.properties && value !== null && typeof value === 'object' && !Array.isArray(value))
      eachSecret(spec.properties, value as Record<string, unknown>, visit);
  }
}

/** The text of every secret value of `config` (to mask wherever they could show up). */
export function secretConfigValues(schema: ConfigSchema | undefined, config: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (schema) eachSecret(schema, config, (holder, key) => out.push(typeof holder[key] === 'string' ? (holder[key] as string) : JSON.stringify(holder[key])));
  return out.filter((v) => v !== '' && v !== 'null');
}

/** `config` with its secret values replaced by `********` (a copy). */
export function maskConfig(schema: ConfigSchema | undefined, config: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(config);
  if (schema) eachSecret(schema, copy, (holder, key) => (holder[key] = MASK));
  return copy;
}

/** Whether the schema has a secret property (then the stored config is encrypted). */
export function hasSecrets(schema: ConfigSchema | undefined): boolean {
  let found = false;
  if (schema) {
    const walk = (s: ConfigSchema) =>
      Object.values(s).forEach((spec) => {
        if (spec?.secret === true) found = true;
        else if (spec?.properties) walk(spec.properties);
      });
    walk(schema);
  }
  return found;
}
