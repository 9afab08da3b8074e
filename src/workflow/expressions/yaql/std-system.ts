/**
 * yaql's system functions (yaql/standard_library/system.py): scopes for `->` (`let`, `with`,
 * `unpack`, `def`), `lambda`, `call` and `assert`. Scopes and lambdas are opaque values (core.ts).
 */
import { fault, valueFault } from '../faults.ts';
import { isPlainObject, truthy } from '../pystr.ts';
import { argAt, need, opaque, opt, seq, string, type Call, type Env, type LazyArg, type Opaque, type StdFunction } from './core.ts';
import { extendVars, invokeCall } from './evaluator.ts';
import { SandboxError } from '../../../template/errors.ts';
import { isUnsafeName } from '../../../template/sandbox.ts';

/**
 * A scope for `->` with more variables; `$` is `$1` in yaql, so a first positional value is `$` too.
 * `floats` names the variables written as Python floats, so that `let(x => 2.0) -> $x / 4` is 0.5.
 */
function scope(call: Call, vars: Record<string, unknown>, floats: string[] = []): Opaque {
  const dollar = Object.hasOwn(vars, '1') ? vars['1'] : call.env.dollar;
  const kept = [...(call.env.floats ?? [])].filter((n) => !Object.hasOwn(vars, n));
  const env = { ...call.env, dollar, vars: extendVars(call.env.vars, vars), floats: new Set([...kept, ...floats]) };
  return opaque({ kind: 'scope', env });
}

/** Names of the arguments written as floats: `1`, `2`... for positional ones, the keyword otherwise. */
function floatNames(call: Call): string[] {
  const names = call.args.flatMap((a, i) => (a?.float ? [String(i + 1)] : []));
  return [...names, ...Object.entries(call.kwargs).flatMap(([k, a]) => (a.float ? [k] : []))];
}

function numbered(values: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  values.forEach((v, i) => (out[String(i + 1)] = v));
  return out;
}

function values(args: Array<LazyArg | undefined>): unknown[] {
  return args.map((a) => (a ? a.value() : null));
}

function defineFunction(call: Call): Opaque {
  const name = string(need(call, 0, 'name').value(), 'def');
  if (isUnsafeName(name)) throw new SandboxError(`def(${name})`, 'names a JavaScript built-in, not a function name yaql can define');
  const body = need(call, 1, 'func');
  if (!body.node) throw fault('NoMatchingFunctionException', 'def() needs an expression as its body');
  const functions = Object.create(null) as Record<string, Opaque>;
  Object.assign(functions, call.env.functions ?? {});
  const env: Env = { ...call.env, functions };
  // The body sees the function itself, for recursion, and the variables of the place it is defined.
  functions[name] = opaque({ kind: 'lambda', node: body.node, env: { ...(body.env as Env), functions } });
  return opaque({ kind: 'scope', env });
}

export const SYSTEM: Record<string, StdFunction> = {
  let: (c) => {
    const kw = Object.create(null) as Record<string, unknown>;
    for (const [k, a] of Object.entries(c.kwargs)) kw[k] = a.value();
    return scope(c, { ...numbered(values(c.args)), ...kw }, floatNames(c));
  },
  with: (c) => scope(c, numbered(values(c.args)), floatNames(c)),
  unpack: (c) => {
    const items = seq(need(c, 0).value(), 'unpack');
    const names = c.args.slice(1).map((a) => string(a?.value(), 'unpack'));
    if (names.length === 0) return scope(c, numbered(items));
    if (names.length !== items.length) throw valueFault(`Cannot unpack ${items.length} elements into ${names.length}`);
    return scope(c, Object.fromEntries(names.map((n, i) => [n, items[i]])));
  },
  def: defineFunction,
  lambda: (c) => {
    const body = need(c, 0, 'func');
    if (!body.node) throw fault('NoMatchingFunctionException', 'lambda() needs an expression');
    return opaque({ kind: 'lambda', node: body.node, env: body.env as Env });
  },
  call: (c) => {
    const name = string(need(c, 0, 'name').value(), 'call');
    const args = [...seq(need(c, 1, 'args').value(), 'call')];
    // A fourth argument is the receiver of a method call: call(len, [], {}, [1, 2]).
    const receiver = argAt(c, 3, 'receiver');
    if (receiver) args.unshift(receiver.value());
    const kwargs = need(c, 2, 'kwargs').value();
    if (!isPlainObject(kwargs)) throw fault('NoMatchingFunctionException', 'call() needs a dict of keyword arguments');
    const kw = Object.create(null) as Record<string, LazyArg>;
    for (const [k, v] of Object.entries(kwargs)) kw[k] = { value: () => v, lambda: () => v, within: () => v };
    return invokeCall({ name, args: args.map((v) => ({ value: () => v, lambda: () => v, within: () => v })), kwargs: kw, env: c.env });
  },
  assert: (c) => {
    const obj = need(c, 0).value();
    if (!truthy(need(c, 1, 'condition').lambda(obj))) throw fault('AssertionError', String(opt(c, 2, 'message', 'Assertion failed')));
    return obj;
  },
};
