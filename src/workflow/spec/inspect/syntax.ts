/**
 * Syntax inspection: the definition against orquesta's JSON schema, each problem worded as
 * Python's jsonschema words it (orquesta reports those messages), with its spec and schema paths.
 * As jsonschema, a `oneOf`/`anyOf` with no matching branch is one problem, not one per branch.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { pyRepr } from '../../expressions/pystr.ts';
import type { InspectionIssue } from './issues.ts';
import { WORKFLOW_SCHEMA } from './schema.ts';

const ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
const validateSchema = ajv.compile(WORKFLOW_SCHEMA);

export function inspectSyntax(doc: Record<string, unknown>): InspectionIssue[] {
  if (validateSchema(doc)) return [];
  const issues = new Map<string, InspectionIssue>();
  for (const error of validateSchema.errors ?? []) {
    const schemaSegments = pointer(error.schemaPath.replace(/^#/, ''));
    // Inside a branch of oneOf/anyOf: jsonschema reports the branch point only.
    if (schemaSegments.some((s, i) => i < schemaSegments.length - 1 && (s === 'oneOf' || s === 'anyOf') && /^\d+$/.test(schemaSegments[i + 1]))) continue;
    const specPath = specPathOf(doc, pointer(error.instancePath));
    const schemaPath = dotted(schemaSegments);
    const key = `${specPath}|${schemaPath}`;
    const previous = issues.get(key);
    if (error.keyword === 'additionalProperties' && previous) {
      previous.message = additionalMessage([...extraKeys(previous.message), String(error.params.additionalProperty)]);
      continue;
    }
    issues.set(key, { type: 'syntax', message: messageOf(error), spec_path: specPath, schema_path: schemaPath });
  }
  return [...issues.values()];
}

function pointer(path: string): string[] {
  if (!path) return [];
  return path
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}

function dotted(segments: string[]): string | null {
  let out = '';
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : out ? `.${s}` : s;
  return out || null;
}

/** `tasks.task1.next[0].when`: list indexes in brackets, as jsonschema's absolute_path reads in orquesta. */
function specPathOf(doc: unknown, segments: string[]): string | null {
  let out = '';
  let node: unknown = doc;
  for (const s of segments) {
    if (Array.isArray(node)) {
      out += `[${s}]`;
      node = node[Number(s)];
    } else {
      out += out ? `.${s}` : s;
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[s] : undefined;
    }
  }
  return out || null;
}

function messageOf(error: ErrorObject): string {
  const value = pyRepr(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `${value} is not of type ${String(params.type)
        .split(',')
        .map((t) => pyRepr(t))
        .join(', ')}`;
    case 'oneOf':
    case 'anyOf':
      return `${value} is not valid under any of the given schemas`;
    case 'required':
      return `${pyRepr(params.missingProperty)} is a required property`;
    case 'additionalProperties':
      return additionalMessage([String(params.additionalProperty)]);
    case 'minProperties':
    case 'minItems':
    case 'minLength':
      return Number(params.limit) === 1 ? `${value} should be non-empty` : `${value} is too short`;
    case 'maxProperties':
      return `${value} has too many properties`;
    case 'minimum':
      return `${value} is less than the minimum of ${pyRepr(params.limit)}`;
    case 'enum':
      return `${value} is not one of ${pyRepr(params.allowedValues)}`;
    case 'pattern':
      return `${value} does not match ${pyRepr(params.pattern)}`;
    case 'uniqueItems':
      return `${value} has non-unique elements`;
    default:
      return `${value}: ${error.message ?? 'is invalid'}`;
  }
}

function additionalMessage(keys: string[]): string {
  const names = keys.map((k) => pyRepr(k)).join(', ');
  return `Additional properties are not allowed (${names} ${keys.length === 1 ? 'was' : 'were'} unexpected)`;
}

function extraKeys(message: string): string[] {
  return [...message.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]);
}
