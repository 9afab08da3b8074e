import { ResourceDefinitionError } from './errors.ts';

/** What `${...}` variables resolve against: the parsed serverless.yml and the stage. */
export interface VariableContext {
  /** The whole parsed serverless.yml (for `${self:...}` and `params`). */
  document: Record<string, unknown>;
  stage: string;
  /** `${opt:...}` values (CLI options such as `region`). */
  options?: Record<string, string | undefined>;
  /** `${env:...}` values. @default {} (deterministic: the process environment is not read) */
  env?: Record<string, string | undefined>;
}

// Serverless variables have a known source prefix; anything else (`${Table.Arn}`, `${AWS::Region}`) is CloudFormation's.
const VARIABLE = /\$\{((?:self|sls|param|opt|env):[^{}]*)\}/g;
const WHOLE = /^\$\{((?:self|sls|param|opt|env):[^{}]*)\}$/;

function lookupPath(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const part of path.split('.').filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function splitFallback(expression: string): [string, string | undefined] {
  const comma = expression.indexOf(',');
  if (comma < 0) return [expression.trim(), undefined];
  return [expression.slice(0, comma).trim(), expression.slice(comma + 1).trim()];
}

function literal(text: string): unknown {
  const quoted = /^'(.*)'$|^"(.*)"$/.exec(text);
  if (quoted) return quoted[1] ?? quoted[2];
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return undefined;
}

function params(ctx: VariableContext): Record<string, unknown> {
  const all = (ctx.document.params ?? {}) as Record<string, Record<string, unknown> | undefined>;
  return { ...(all.default ?? {}), ...(all[ctx.stage] ?? {}) };
}

function resolveOne(expression: string, ctx: VariableContext, seen: Set<string>): unknown {
  const [reference, fallback] = splitFallback(expression);
  const colon = reference.indexOf(':');
  const source = reference.slice(0, colon);
  const address = reference.slice(colon + 1);
  let value: unknown;
  if (source === 'self') {
    if (seen.has(address)) throw new ResourceDefinitionError(`circular variable: \${self:${address}}`);
    value = resolveValue(lookupPath(ctx.document, address), ctx, new Set([...seen, address]));
  } else if (source === 'sls') {
    if (address !== 'stage') throw new ResourceDefinitionError(`unsupported variable: \${sls:${address}} - only \${sls:stage} is known`);
    value = ctx.stage;
  } else if (source === 'param') {
    value = params(ctx)[address];
  } else if (source === 'opt') {
    value = ctx.options?.[address];
  } else {
    value = ctx.env?.[address];
  }
  if (value === undefined && fallback !== undefined) {
    value = WHOLE.test(fallback) ? resolveString(fallback, ctx, seen) : literal(fallback);
  }
  if (value === undefined || value === null) {
    throw new ResourceDefinitionError(`unresolved variable: \${${expression}} - no value for stage "${ctx.stage}"`);
  }
  return value;
}

function resolveString(text: string, ctx: VariableContext, seen: Set<string>): unknown {
  const whole = WHOLE.exec(text);
  // A string that is only a variable takes the variable's type (as in the Serverless Framework).
  if (whole) return resolveOne(whole[1], ctx, seen);
  return text.replace(VARIABLE, (_match, expression: string) => String(resolveOne(expression, ctx, seen)));
}

/** Resolves every Serverless variable in `value` (deeply), leaving CloudFormation's own `${...}` untouched. */
export function resolveValue(value: unknown, ctx: VariableContext, seen: Set<string> = new Set()): unknown {
  if (typeof value === 'string') return resolveString(value, ctx, seen);
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, ctx, seen));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, ctx, seen)]));
  }
  return value;
}
