import nunjucks from 'nunjucks';
import { SandboxError } from './errors.ts';
import { internals, type AstNode } from './nunjucks-internals.ts';
import { assertPlainData } from './plain-data.ts';
import { safeRuntime, type Noting } from './sandbox-runtime.ts';
import { checkTree, isBuiltinMember, markCallees } from './sandbox-tree.ts';

export { isUnsafeName } from './sandbox-tree.ts';

/*
 * nunjucks is no sandbox: its compiled templates read any JavaScript member (`x.constructor`),
 * call any function they reach, and look names up through prototypes. This module makes a
 * nunjucks Environment safe by structure, for parameter rendering and workflow Jinja alike:
 *
 *   - the syntax tree is checked before compiling (sandbox-tree.ts): only expression tags (`if`,
 *     `for`, `set`, output), no macro, call, import, include, extends, block or extension; names
 *     are plain identifiers that are not JavaScript built-ins; a call's callee is a name; filters
 *     and tests are ones registered on the environment (own properties, never inherited);
 *   - the compiled code runs against a runtime (sandbox-runtime.ts) whose lookups see only own
 *     enumerable data properties of plain dicts and lists (`ownMember`), whose calls reach only
 *     functions registered with `callable()`, and whose globals are those functions;
 *   - every value passed to or returned by a function or filter must be plain data (here).
 */

/** Builtin filters that read an attribute named by an argument (`sort(attribute='x')`), and where that argument is. */
const ATTRIBUTE_ARGS: Record<string, number[]> = { sort: [3], groupby: [1], selectattr: [1], rejectattr: [1], join: [2], sum: [1], map: [] };

/** Names a sandboxed environment lets templates call (`range(3)`); other nunjucks globals (`cycler`, `joiner`) are gone. */
const DEFAULT_GLOBALS = ['range'];

export interface SandboxOptions {
  /** Filters the environment uses internally that a template may not name (the output wrapper). */
  internalFilters?: string[];
}

/** A sandboxed nunjucks Environment: check a parsed template, then compile it. */
export interface Sandbox {
  /** Throws SandboxError when the parsed template uses anything outside the sandbox. Call it before rewriting the tree. */
  check(ast: AstNode): void;
  /** Compiles a checked (and possibly rewritten) tree into a Template that runs on the safe runtime. */
  compile(ast: AstNode, name: string): nunjucks.Template;
  /**
   * Renders a template compiled here. A SandboxError raised while rendering is thrown as is
   * (nunjucks would turn it into a plain Error with the message only).
   */
  render(template: nunjucks.Template, context: Record<string, unknown>): string;
  /** Registers `fn` as callable from templates (a global or a context function) and returns it. */
  callable<F extends (...args: never[]) => unknown>(fn: F): F;
}

function isKeywords(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>).__keywords === true;
}

/** Checks one attribute-path argument of a builtin filter: `a.b.0`, no built-in names. */
function checkAttribute(filter: string, value: unknown): void {
  if (typeof value !== 'string') return;
  for (const part of value.split('.')) {
    if (isBuiltinMember(part)) throw new SandboxError(`"${value}"`, `${filter}() reads only data attributes, not JavaScript built-ins`);
  }
}

/**
 * Makes `env` a sandbox (see the comment at the top of this file). Filters added to `env`
 * later are sandboxed too: lookups go through own properties and every call is checked.
 * @example
 *   const sandbox = createSandbox(new nunjucks.Environment(null, { autoescape: false }));
 *   const ast = internals.parser.parse('{{ x.constructor }}');
 *   sandbox.check(ast); // throws SandboxError: sandbox: "constructor" - ...
 */
export function createSandbox(env: nunjucks.Environment, options: SandboxOptions = {}): Sandbox {
  const internal = new Set(options.internalFilters ?? []);
  const faults = renderFaults();
  const callables = new WeakSet<object>();
  const callable = <F extends (...args: never[]) => unknown>(fn: F): F => {
    callables.add(fn);
    return fn;
  };
  const raw = env as unknown as RawEnvironment;
  guardFilters(raw, faults.noting);
  guardTests(raw, faults.noting);
  const runtime = safeRuntime({ globals: defaultGlobals(raw, callable), callables, noting: faults.noting });
  return {
    check: (ast) => checkTree(ast, internal),
    compile: (ast, name) => compileTemplate(env, runtime, ast, name),
    render: (template, context) => faults.render(template, context),
    callable,
  };
}

/** The members of a nunjucks Environment the sandbox replaces or reads. */
interface RawEnvironment {
  filters: Record<string, (...args: unknown[]) => unknown>;
  tests: Record<string, (...args: unknown[]) => unknown>;
  globals: Record<string, unknown>;
  getFilter(name: string): unknown;
  getTest(name: string): unknown;
}

/**
 * nunjucks turns an error thrown while rendering into a plain Error with the message only: the
 * SandboxError of the render under way is kept here and rethrown as is. Renders are synchronous,
 * so one slot per sandbox suffices.
 */
function renderFaults(): { noting: Noting; render(template: nunjucks.Template, context: Record<string, unknown>): string } {
  let pending: SandboxError | undefined;
  const noting: Noting = (fn) =>
    function (this: unknown, ...args) {
      try {
        return fn.apply(this, args);
      } catch (e) {
        if (e instanceof SandboxError) pending = e;
        throw e;
      }
    };
  const render = (template: nunjucks.Template, context: Record<string, unknown>): string => {
    pending = undefined;
    try {
      return template.render(context);
    } catch (e) {
      if (pending) throw pending;
      throw e;
    } finally {
      pending = undefined;
    }
  };
  return { noting, render };
}

/** The nunjucks globals templates may still call (DEFAULT_GLOBALS), registered as callables; nothing inherited. */
function defaultGlobals(raw: RawEnvironment, callable: <F extends (...args: never[]) => unknown>(fn: F) => F): Record<string, unknown> {
  const globals: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of DEFAULT_GLOBALS) {
    const fn = raw.globals[name] as (...args: unknown[]) => unknown;
    globals[name] = callable((...args: unknown[]) => fn(...args));
  }
  return globals;
}

/**
 * Filters are looked up as own properties only, and each call is checked: plain data in and
 * out, no built-in name as an attribute path. A filter's wrapper is made once and reused.
 */
function guardFilters(raw: RawEnvironment, noting: Noting): void {
  const wrappedFilters = new WeakMap<object, (...args: unknown[]) => unknown>();
  raw.getFilter = (name: string) => {
    if (!Object.hasOwn(raw.filters, name)) throw new Error(`filter not found: ${name}`);
    const filter = raw.filters[name] as (...args: unknown[]) => unknown;
    const cached = wrappedFilters.get(filter);
    if (cached) return cached;
    const wrapped = noting(function (this: unknown, ...args: unknown[]): unknown {
      return callFilter(this, filter, name, args);
    });
    wrappedFilters.set(filter, wrapped);
    return wrapped;
  };
}

function callFilter(self: unknown, filter: (...args: unknown[]) => unknown, name: string, args: unknown[]): unknown {
  args.forEach((a, i) => assertPlainData(a, `argument ${i + 1} of filter "${name}"`));
  for (const i of ATTRIBUTE_ARGS[name] ?? []) checkAttribute(name, args[i]);
  const last = args[args.length - 1];
  if (ATTRIBUTE_ARGS[name] && isKeywords(last)) checkAttribute(name, last.attribute);
  let result = filter.apply(self, args);
  if (result instanceof nunjucks.runtime.SafeString) result = result.toString();
  assertPlainData(result, `the result of filter "${name}"`);
  return result;
}

/** Tests are looked up as own properties only, take plain data and answer a boolean. */
function guardTests(raw: RawEnvironment, noting: Noting): void {
  raw.getTest = (name: string) => {
    if (!Object.hasOwn(raw.tests, name)) throw new Error(`test not found: ${name}`);
    const test = raw.tests[name] as (...args: unknown[]) => unknown;
    return noting(function (this: unknown, ...args: unknown[]): unknown {
      args.forEach((a, i) => assertPlainData(a, `argument ${i + 1} of test "${name}"`));
      return test.apply(this, args) === true;
    });
  };
}

/** Compiles as nunjucks' own Template._compile does, then gives every entry point the safe runtime. */
function compileTemplate(env: nunjucks.Environment, runtime: Record<string, unknown>, ast: AstNode, name: string): nunjucks.Template {
  markCallees(ast);
  const compiler = new internals.compiler.Compiler(name, false);
  compiler.compile(ast);
  const props = new Function(compiler.getCode())() as Record<string, unknown>;
  for (const [key, fn] of Object.entries(props)) {
    if (typeof fn !== 'function') continue;
    props[key] = (env: unknown, context: unknown, frame: unknown, _runtime: unknown, cb: unknown) =>
      (fn as (...a: unknown[]) => unknown)(env, context, frame, runtime, cb);
  }
  return new nunjucks.Template({ type: 'code', obj: props } as unknown as string, env, name, true);
}
