/**
 * Evaluates a parsed YAQL expression against an orquesta context. Operator semantics follow
 * yaql's standard library (math.py, strings.py, common.py, collections.py, queries.py):
 * Python truthiness, `and`/`or` return an operand, `/` of two integers floors, `mod` takes the
 * sign of the divisor, null sorts before everything, `+` joins strings, lists and dicts.
 *
 * Only yaql's own functions are callable: the standard library below (STD), orquesta's catalog,
 * functions the expression defines itself (`def`) and lambdas. A lambda, a scope or a regex is an
 * opaque value (core.ts) that no member access can read into.
 */
import { CATALOG } from '../functions.ts';
import { pyRegex } from '../st2-functions.ts';
import { fault, typeFault } from '../faults.ts';
import { deepEqual, isPlainObject, pyStr, pyTypeName, truthy } from '../pystr.ts';
import { assertPlainData, setOwn } from '../../../template/plain-data.ts';
import type { Arg, Node } from './parser.ts';
import {
  LIMITS,
  budget,
  spend,
  asSet,
  compare,
  contains,
  getKey,
  index,
  isNumber,
  isSet,
  numbers,
  opaqueOf,
  plus,
  string,
  times,
  tooBig,
  yaqlStr,
  type Call,
  type Env,
  type LazyArg,
  type Opaque,
  type StdFunction,
} from './core.ts';
import { COMMON } from './std-common.ts';
import { SYSTEM } from './std-system.ts';
import { BRANCHING } from './std-branching.ts';
import { REGEX, REGEX_OVERLOADS } from './std-regex.ts';
import { COLLECTIONS, COLLECTION_OVERLOADS } from './std-collections.ts';
import { QUERIES, QUERY_OVERLOADS } from './std-queries.ts';
import { MATH_STRINGS, STRING_OVERLOADS } from './std-math-strings.ts';

export type { Env } from './core.ts';
export { compare, yaqlStr } from './core.ts';

function noFunction(call: Call): never {
  throw fault('NoMatchingMethodException', `no ${call.name}() for these arguments`);
}

/** The standard library by name (no prototype); an overload stands in front of the function of its name. */
const STD: Record<string, StdFunction> = Object.assign(
  Object.create(null) as Record<string, StdFunction>,
  COMMON,
  SYSTEM,
  BRANCHING,
  REGEX,
  COLLECTIONS,
  QUERIES,
  MATH_STRINGS,
);
for (const overloads of [STRING_OVERLOADS, COLLECTION_OVERLOADS, QUERY_OVERLOADS, REGEX_OVERLOADS]) {
  for (const [name, o] of Object.entries(overloads)) {
    const next = STD[name] ?? noFunction;
    STD[name] = (call) => o(call, next);
  }
}

/** A variables dict without prototype holding `base` and `extra`. */
export function extendVars(base: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const vars = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(base)) vars[k] = v;
  for (const [k, v] of Object.entries(extra)) vars[k] = v;
  return vars;
}

function constant(value: unknown): LazyArg {
  return { value: () => value, lambda: () => value, within: () => value };
}

function positionalVars(values: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  values.forEach((d, i) => (out[String(i + 1)] = d));
  return out;
}

/** The float-written variables of `env` less those a lambda or `.` binds again (`$`, `$1`, keywords). */
function rebound(env: Env, names: string[]): ReadonlySet<string> | undefined {
  if (!env.floats || env.floats.size === 0) return env.floats;
  return new Set([...env.floats].filter((n) => n !== '1' && !names.includes(n)));
}

function lazy(node: Node, env: Env): LazyArg {
  let cached: { v: unknown } | undefined;
  return {
    value: () => (cached ??= { v: evaluateNode(node, env) }).v,
    lambda: (...dollars: unknown[]) => {
      const vars = positionalVars(dollars);
      if (dollars.length === 0) return evaluateNode(node, env);
      return evaluateNode(node, { ...env, dollar: dollars[0], vars: extendVars(env.vars, vars), floats: rebound(env, Object.keys(vars)) });
    },
    within: (inner: Env) => evaluateNode(node, inner),
    node,
    env,
    float: isFloat(node, env),
  };
}

/**
 * Calls a yaql lambda or def'd function: `$` (and `$1`) is the first argument, `$2` the second...,
 * keyword arguments are variables (`sq(arg => 2)` sets `$arg`). With no arguments `$` stays the
 * one the lambda was written under.
 */
export function callLambda(fn: unknown, args: unknown[], kwargs: Record<string, unknown> = {}): unknown {
  const lambda = opaqueOf(fn, 'lambda');
  if (!lambda) throw typeFault(`'${pyTypeName(fn)}' object is not callable`);
  if (++budget.calls > LIMITS.depth) throw tooBig('the depth of nested function calls');
  try {
    const bound = { ...positionalVars(args), ...kwargs };
    const vars = extendVars(lambda.env.vars, bound);
    const floats = args.length > 0 ? rebound(lambda.env, Object.keys(bound)) : lambda.env.floats;
    return evaluateNode(lambda.node, { ...lambda.env, dollar: args.length > 0 ? args[0] : lambda.env.dollar, vars, floats });
  } finally {
    budget.calls--;
  }
}

// ---------------------------------------------------------------- evaluation

function kwargName(key: Node, env: Env): string {
  if (key.type === 'keyword') return key.name;
  const v = evaluateNode(key, env);
  // A key that is not a string is named as JSON names it (null, true, 2).
  return typeof v === 'string' ? v : yaqlStr(v);
}

function buildCall(name: string, receiver: LazyArg | undefined, args: Arg[], env: Env): Call {
  const positional: Array<LazyArg | undefined> = receiver ? [receiver] : [];
  // No prototype: a keyword named `constructor` or `__proto__` is only ever a keyword.
  const kwargs = Object.create(null) as Record<string, LazyArg>;
  const rules: Array<[LazyArg, LazyArg]> = [];
  for (const a of args) {
    // switch() takes `condition => value` rules, evaluated in order, not keyword arguments.
    if (a.key && name === 'switch') rules.push([lazy(a.key, env), lazy(a.value, env)]);
    else if (a.key) kwargs[kwargName(a.key, env)] = lazy(a.value, env);
    else positional.push(a.omitted ? undefined : lazy(a.value, env));
  }
  return { name, args: positional, kwargs, rules, env };
}

/** Calls yaql function `name` by name: a def'd function, then orquesta's catalog or the standard library. */
export function invokeCall(call: Call): unknown {
  const { name, env } = call;
  const defined = env.functions && Object.hasOwn(env.functions, name) ? (env.functions[name] as Opaque) : undefined;
  if (defined) {
    const kw = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(call.kwargs)) kw[k] = v.value();
    return callLambda(
      defined,
      call.args.map((a) => a?.value() ?? null),
      kw,
    );
  }
  const std = Object.hasOwn(STD, name) ? STD[name] : undefined;
  const catalog = Object.hasOwn(CATALOG, name) ? CATALOG[name] : undefined;
  const isMethod = call.args.length > 0 && call.args[0] !== undefined && !call.args[0].node;
  // orquesta's functions win for plain calls (zip, json, ...); yaql's methods win for receivers.
  if (catalog && (!isMethod || !std)) {
    const positional = call.args.map((p) => (p ? p.value() : null));
    const kw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(call.kwargs)) setOwn(kw, k, v.value());
    // The catalog is written for data: no lambda, scope or regex ever reaches it.
    assertPlainData(positional, `the arguments of ${name}()`);
    assertPlainData(kw, `the arguments of ${name}()`);
    return catalog(env.context, positional, kw);
  }
  if (std) return std(call);
  throw fault('NoFunctionRegisteredException', `Unknown function "${name}"`);
}

function apply(node: Extract<Node, { type: 'apply' }>, env: Env): unknown {
  const fn = evaluateNode(node.callee, env);
  const call = buildCall('#call', undefined, node.args, env);
  const kw = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(call.kwargs)) kw[k] = v.value();
  return callLambda(
    fn,
    call.args.map((a) => a?.value() ?? null),
    kw,
  );
}

export function evaluateNode(node: Node, env: Env): unknown {
  if (budget.depth === 0) {
    budget.steps = 0;
    budget.calls = 0;
  }
  spend(1);
  budget.depth++;
  try {
    return evaluate(node, env);
  } finally {
    budget.depth--;
  }
}

function evaluate(node: Node, env: Env): unknown {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'keyword':
      return node.name;
    case 'dollar':
      if (node.name === '') return env.dollar === undefined ? null : env.dollar;
      return Object.hasOwn(env.vars, node.name) ? env.vars[node.name] : null;
    case 'list':
      return node.items.map((n) => evaluateNode(n, env));
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) setOwn(out, kwargName(k, env), evaluateNode(v, env));
      return out;
    }
    case 'call':
      return invokeCall(buildCall(node.name, undefined, node.args, env));
    case 'method': {
      const r = evaluateNode(node.receiver, env);
      if (node.nullSafe && (r === null || r === undefined)) return null;
      return invokeCall(buildCall(node.name, constant(r), node.args, env));
    }
    case 'attr': {
      const r = evaluateNode(node.receiver, env);
      if (node.nullSafe && (r === null || r === undefined)) return null;
      return getKey(r, node.name);
    }
    case 'dotExpr': {
      // yaql's `.` takes a name or a method call on its right; `$.'b c'` and `$.123` match nothing.
      if (node.expr.type === 'literal')
        throw fault('NoMatchingFunctionException', `no operator . for ${pyTypeName(node.expr.value)} ${pyStr(node.expr.value)}`);
      const r = evaluateNode(node.receiver, env);
      if (node.nullSafe && (r === null || r === undefined)) return null;
      return evaluateNode(node.expr, { ...env, dollar: r, floats: rebound(env, []) });
    }
    case 'index':
      return indexer(node, env);
    case 'apply':
      return apply(node, env);
    case 'unary': {
      const v = evaluateNode(node.operand, env);
      if (node.op === 'not') return !truthy(v);
      if (!isNumber(v)) throw typeFault(`bad operand type for unary ${node.op}: '${pyTypeName(v)}'`);
      return node.op === '-' ? -v : v;
    }
    case 'binary':
      return binary(node.op, node.left, node.right, env);
  }
}

function indexer(node: Extract<Node, { type: 'index' }>, env: Env): unknown {
  const r = evaluateNode(node.receiver, env);
  const call = buildCall('#indexer', undefined, node.args, env);
  const key = (call.args[0] as LazyArg).value();
  const fallback = call.args[1] ?? (Object.hasOwn(call.kwargs, 'default') ? call.kwargs.default : undefined);
  if (call.args.length > 2 || Object.keys(call.kwargs).some((k) => k !== 'default'))
    throw fault('NoMatchingFunctionException', 'no indexer takes these arguments');
  return index(r, key, fallback);
}

/**
 * Whether an operand is a Python float even when its value is integral: JavaScript has one number
 * type, so `7.0 / 2`, `(7 * 1.0) / 2` and `float(x) / 2` are recognised from the syntax (a literal
 * with a decimal point, a float() call, arithmetic on one of those) to divide as yaql does.
 */
export function isFloat(node: Node, env?: Env): boolean {
  if (node.type === 'literal') return node.float === true;
  if (node.type === 'dollar') return env?.floats?.has(node.name === '' ? '1' : node.name) === true;
  if (node.type === 'call' || node.type === 'method') return node.name === 'float';
  if (node.type === 'unary') return isFloat(node.operand, env);
  if (node.type === 'binary' && ['+', '-', '*', '/'].includes(node.op)) return isFloat(node.left, env) || isFloat(node.right, env);
  return false;
}

function sendContext(leftNode: Node, rightNode: Node, env: Env): unknown {
  const left = evaluateNode(leftNode, env);
  const scope = opaqueOf(left, 'scope');
  if (!scope) throw fault('NoMatchingFunctionException', `'->' needs let(), with(), def() or unpack() on its left, got ${pyTypeName(left)}`);
  return evaluateNode(rightNode, scope.env);
}

function setCompare(op: string, a: unknown[], b: unknown[]): boolean {
  const has = (xs: unknown[], y: unknown) => xs.some((x) => deepEqual(x, y));
  const sub = a.every((x) => has(b, x));
  const sup = b.every((x) => has(a, x));
  if (op === '<') return sub && !sup;
  if (op === '<=') return sub;
  if (op === '>') return sup && !sub;
  return sup;
}

export function equal(a: unknown, b: unknown): boolean {
  if (isSet(a) && isSet(b)) return setCompare('<=', a, b) && setCompare('>=', a, b);
  return deepEqual(a, b);
}

function regexOf(v: unknown, op: string): RegExp {
  const compiled = opaqueOf(v, 'regex');
  return compiled ? compiled.re : pyRegex(string(v, op));
}

function binary(op: string, leftNode: Node, rightNode: Node, env: Env): unknown {
  if (op === '->') return sendContext(leftNode, rightNode, env);
  const left = evaluateNode(leftNode, env);
  if (op === 'and') return truthy(left) ? evaluateNode(rightNode, env) : left;
  if (op === 'or') return truthy(left) ? left : evaluateNode(rightNode, env);
  const right = evaluateNode(rightNode, env);
  if (typeof left === 'function' || typeof right === 'function') {
    if (op === '=~' || op === '!~') {
      const matched = new RegExp(regexOf(right, op)).test(string(left, op));
      return op === '=~' ? matched : !matched;
    }
    throw typeFault(`unsupported operand type(s) for ${op}: '${pyTypeName(left)}' and '${pyTypeName(right)}'`);
  }
  switch (op) {
    case '=':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (isSet(left) && isSet(right)) return setCompare(op, left, right);
      return op === '<'
        ? compare(left, right, op) < 0
        : op === '<='
          ? compare(left, right, op) <= 0
          : op === '>'
            ? compare(left, right, op) > 0
            : compare(left, right, op) >= 0;
    case 'in':
      // yaql's `in` takes a collection or a string; a dict's keys are `$.keys()`.
      if (isPlainObject(right)) throw fault('NoMatchingFunctionException', `'in' needs a collection on its right, got ${pyTypeName(right)}`);
      return contains(right, left);
    case '+':
      return plus(left, right);
    case '-': {
      if (isSet(left) && isSet(right)) return asSet(left.filter((x) => !right.some((y) => deepEqual(x, y))));
      const [a, b] = numbers('-', left, right);
      return a - b;
    }
    case '*':
      return times(left, right);
    case '/': {
      const [a, b] = numbers('/', left, right);
      if (b === 0) throw fault('ZeroDivisionError', 'division by zero');
      const floats = isFloat(leftNode, env) || isFloat(rightNode, env);
      return !floats && Number.isInteger(a) && Number.isInteger(b) ? Math.floor(a / b) : a / b;
    }
    case 'mod': {
      const [a, b] = numbers('mod', left, right);
      if (b === 0) throw fault('ZeroDivisionError', 'integer division or modulo by zero');
      return ((a % b) + b) % b;
    }
    case '=~':
    case '!~': {
      const matched = regexOf(right, op).test(string(left, op));
      return op === '=~' ? matched : !matched;
    }
    default:
      throw fault('YaqlGrammarException', `unknown operator ${op}`);
  }
}

/** Names of the YAQL standard-library functions available (for docs and tests). */
export const YAQL_FUNCTIONS = Object.keys(STD);
