import { describeValue } from '../actions/cast.ts';
import { InvalidPolicyMetadataError } from './errors.ts';
import { POLICY_TYPES, type ConcurrencyParameters, type PolicyDefinition, type PolicyType, type RetryParameters } from './types.ts';

/** st2's PolicyAPI fields (`ref`, `uid`, `id`, `metadata_file` are what st2 itself writes back). Anything else is a typo worth reporting. */
const KNOWN_FIELDS = new Set(['name', 'pack', 'description', 'enabled', 'resource_ref', 'policy_type', 'parameters', 'ref', 'uid', 'id', 'metadata_file']);
const ACTION_REF = /^[\w-]+\.[\w.-]+$/;
/** st2's policy types' own limits (st2common/policies/meta/retry.yaml). */
const MAX_RETRY_COUNT = 5;
const MAX_RETRY_DELAY_SECONDS = 120;

/** Where a policy file comes from. */
export interface PolicySource {
  /** Absolute path of the file (named in every error). */
  file: string;
  /** The pack the file lives in. */
  pack: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Check = (field: string, ok: boolean, expected: string, value: unknown) => void;

function checker(file: string): Check {
  return (field, ok, expected, value) => {
    if (!ok) throw new InvalidPolicyMetadataError(file, field, `expected ${expected}, got ${describeValue(value)}`);
  };
}

function onlyKnown(file: string, given: Record<string, unknown>, known: readonly string[], prefix: string): void {
  const unknown = Object.keys(given).find((key) => !known.includes(key));
  if (unknown !== undefined) throw new InvalidPolicyMetadataError(file, `${prefix}${unknown}`, `unknown field - expected one of ${known.join(', ')}`);
}

function concurrencyParameters(file: string, type: PolicyType, given: Record<string, unknown>, check: Check): ConcurrencyParameters {
  const byAttr = type === 'action.concurrency.attr';
  onlyKnown(file, given, byAttr ? ['threshold', 'action', 'attributes'] : ['threshold', 'action'], 'parameters.');
  const { threshold, action = 'delay', attributes = [] } = given;
  check('parameters.threshold', Number.isInteger(threshold) && (threshold as number) >= 1, 'an integer >= 1 (required)', threshold);
  check('parameters.action', action === 'delay' || action === 'cancel', '"delay" or "cancel"', action);
  const names = Array.isArray(attributes) ? attributes : [];
  const valid = Array.isArray(attributes) && names.every((name) => typeof name === 'string' && name.length > 0) && new Set(names).size === names.length;
  check('parameters.attributes', valid, 'a list of distinct parameter names', attributes);
  return { threshold: threshold as number, action: action as 'delay' | 'cancel', attributes: names as string[] };
}

function retryParameters(file: string, given: Record<string, unknown>, check: Check): RetryParameters {
  onlyKnown(file, given, ['retry_on', 'max_retry_count', 'delay'], 'parameters.');
  const { retry_on, max_retry_count = 2, delay = 0 } = given;
  check('parameters.retry_on', retry_on === 'failure' || retry_on === 'timeout', '"failure" or "timeout" (required)', retry_on);
  const count = max_retry_count as number;
  check('parameters.max_retry_count', Number.isInteger(count) && count >= 1 && count <= MAX_RETRY_COUNT, `an integer from 1 to ${MAX_RETRY_COUNT}`, count);
  const seconds = delay as number;
  check(
    'parameters.delay',
    typeof seconds === 'number' && seconds >= 0 && seconds <= MAX_RETRY_DELAY_SECONDS,
    `seconds from 0 to ${MAX_RETRY_DELAY_SECONDS}`,
    delay,
  );
  return { retry_on: retry_on as 'failure' | 'timeout', max_retry_count: count, delay: seconds };
}

/**
 * Validates one policy file's content (st2's PolicyAPI schema and the parameters of its policy type),
 * with defaults applied.
 * @throws InvalidPolicyMetadataError naming the file and the field at fault.
 * @example parsePolicyMetadata(yaml, { file, pack: 'examples' }).parameters // { threshold: 2, action: 'delay', attributes: [] }
 */
export function parsePolicyMetadata(raw: unknown, source: PolicySource): PolicyDefinition {
  const { file, pack } = source;
  const check = checker(file);
  if (!isPlainObject(raw)) throw new InvalidPolicyMetadataError(file, undefined, `expected a mapping of policy fields, got ${describeValue(raw)}`);
  onlyKnown(file, raw, [...KNOWN_FIELDS], '');
  const { name, description = '', enabled = true, resource_ref, policy_type, parameters = {} } = raw;
  check('name', typeof name === 'string' && /^[\w.-]+$/.test(name), 'a name of letters, digits, "_", "-" or "." (required)', name);
  if (raw.pack !== undefined && raw.pack !== pack)
    throw new InvalidPolicyMetadataError(file, 'pack', `expected "${pack}" (the pack the file is in), got ${describeValue(raw.pack)}`);
  check('description', typeof description === 'string', 'a string', description);
  check('enabled', typeof enabled === 'boolean', 'true or false', enabled);
  check('resource_ref', typeof resource_ref === 'string' && ACTION_REF.test(resource_ref), 'an action ref "pack.name" (required)', resource_ref);
  check('policy_type', POLICY_TYPES.includes(policy_type as PolicyType), `one of ${POLICY_TYPES.join(', ')}`, policy_type);
  check('parameters', isPlainObject(parameters), 'a mapping', parameters);
  const type = policy_type as PolicyType;
  const base = {
    ref: `${pack}.${name as string}`,
    name: name as string,
    pack,
    description: description as string,
    enabled: enabled as boolean,
    resource_ref: resource_ref as string,
    metadataFile: file,
  };
  const given = parameters as Record<string, unknown>;
  if (type === 'action.retry') return { ...base, policy_type: type, parameters: retryParameters(file, given, check) };
  return { ...base, policy_type: type, parameters: concurrencyParameters(file, type, given, check) };
}
