import nunjucks from 'nunjucks';
import { SandboxError } from './errors.ts';
import { internals, type AstNode } from './nunjucks-internals.ts';
import { assertPlainData, isPlainData, ownMember } from './plain-data.ts';
import { CALL_PREFIX, checkTree, isBuiltinMember, markCallees } from './sandbox-tree.ts';

export { isUnsafeName } from './sandbox-tree.ts';

/*
 * nunjucks is no sandbox: its compiled templates read any JavaScript member (`x.constructor`),
 * call any function they reach, and look names up through prototypes. This module makes a
 * nunjucks Environment safe by structure, for parameter rendering and workflow Jinja alike:
 *
 *   - the syntax tree is checked before compiling (sandbox-tree.ts): only expression tags (`if`, `for`, `set`,
 *     output), no macro, call, import, include, extends, block or extension; names are plain
 *     identifiers that are not JavaScript built-ins; a call's callee is a name; filters and
 *     tests are ones registered on the environment (own properties, never inherited);
 *   - the compiled code runs against a runtime whose lookups see only own enumerable data
 *     properties of plain dicts and lists (`ownMember`), whose calls reach only functions
 *     registered with `callable()`, and whose globals are those functions;
 *   - every value passed to or returned by a function or filter must be plain data.
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
  /** The sandbox error of the render under way (renders are synchronous). */
  let pending: SandboxError | undefined;
  const noting = <A extends unknown[], R>(fn: (this: unknown, ...args: A) => R) =>
    function (this: unknown, ...args: A): R {
      try {
        return fn.apply(this, args);
      } catch (e) {
        if (e instanceof SandboxError) pending = e;
        throw e;
      }
    };
  const callables = new WeakSet<object>();
  const callable = <F extends (...args: never[]) => unknown>(fn: F): F => {
    callables.add(fn);
    return fn;
  };
  const raw = env as unknown as {
    filters: Record<string, (...args: unknown[]) => unknown>;
    tests: Record<string, (...args: unknown[]) => unknown>;
    globals: Record<string, unknown>;
    getFilter(name: string): unknown;
    getTest(name: string): unknown;
  };
  const globals: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of DEFAULT_GLOBALS) {
    const fn = raw.globals[name] as (...args: unknown[]) => unknown;
    globals[name] = callable((...args: unknown[]) => fn(...args));
  }

  const wrappedFilters = new WeakMap<object, (...args: unknown[]) => unknown>();
  raw.getFilter = (name: string) => {
    if (!Object.hasOwn(raw.filters, name)) throw new Error(`filter not found: ${name}`);
    const filter = raw.filters[name] as (...args: unknown[]) => unknown;
    const cached = wrappedFilters.get(filter);
    if (cached) return cached;
    const wrapped = noting(function (this: unknown, ...args: unknown[]): unknown {
      args.forEach((a, i) => assertPlainData(a, `argument ${i + 1} of filter "${name}"`));
      for (const i of ATTRIBUTE_ARGS[name] ?? []) checkAttribute(name, args[i]);
      const last = args[args.length - 1];
      if (ATTRIBUTE_ARGS[name] && isKeywords(last)) checkAttribute(name, last.attribute);
      let result = filter.apply(this, args);
      if (result instanceof nunjucks.runtime.SafeString) result = result.toString();
      assertPlainData(result, `the result of filter "${name}"`);
      return result;
    });
    wrappedFilters.set(filter, wrapped);
    return wrapped;
  };
  raw.getTest = (name: string) => {
    if (!Object.hasOwn(raw.tests, name)) throw new Error(`test not found: ${name}`);
    const test = raw.tests[name] as (...args: unknown[]) => unknown;
    return noting(function (this: unknown, ...args: unknown[]): unknown {
      args.forEach((a, i) => assertPlainData(a, `argument ${i + 1} of test "${name}"`));
      return test.apply(this, args) === true;
    });
  };

  const runtime: Record<string, unknown> = {
    ...(nunjucks.runtime as unknown as Record<string, unknown>),
    memberLookup: noting((target: unknown, key: unknown) => {
      if (target === undefined || target === null) return undefined;
      const value = ownMember(target, key);
      if (value !== undefined) return value;
      // A miss on data is undefined, as in nunjucks; reaching for a built-in is an error, so that it is seen.
      if (!isPlainData(target) || (typeof key === 'string' && isBuiltinMember(key))) {
        throw new SandboxError(`attribute ${JSON.stringify(String(key))}`, 'templates read only the data of dicts and lists, not JavaScript members');
      }
      return undefined;
    }),
    contextOrFrameLookup: noting((context: { ctx: Record<string, unknown> }, frame: Frame, name: string) => {
      const callee = name.startsWith(CALL_PREFIX);
      const key = callee ? name.slice(CALL_PREFIX.length) : name;
      let value: unknown;
      for (let f: Frame | undefined = frame; f && value === undefined; f = f.parent) {
        if (Object.hasOwn(f.variables, key)) value = f.variables[key];
      }
      if (value === undefined && Object.hasOwn(context.ctx, key)) value = context.ctx[key];
      if (value === undefined && Object.hasOwn(globals, key)) value = globals[key];
      if (typeof value === 'function' && !callee) throw new SandboxError(`"${key}"`, 'a function can only be called, it is not a value');
      return value;
    }),
    callWrap: noting((fn: unknown, name: string, _context: unknown, args: unknown[]) => {
      name = name.startsWith(CALL_PREFIX) ? name.slice(CALL_PREFIX.length) : name;
      if (!fn) throw new Error(`Unable to call \`${name}\`, which is undefined or falsey`);
      if (typeof fn !== 'function' || !callables.has(fn)) throw new SandboxError(`"${name}"`, 'not a function templates may call (only registered functions are)');
      args.forEach((a, i) => assertPlainData(a, `argument ${i + 1} of ${name}()`));
      const result: unknown = fn(...args);
      assertPlainData(result, `the result of ${name}()`);
      return result;
    }),
    inOperator: noting((key: unknown, container: unknown) => {
      if (typeof container === 'string') return typeof key === 'string' && container.includes(key);
      if (Array.isArray(container)) return container.includes(key);
      if (isPlainData(container) && typeof container === 'object' && container !== null) return typeof key === 'string' && Object.hasOwn(container, key);
      throw new SandboxError('"in"', 'needs a string, list or dict on its right');
    }),
  };

  const compile = (ast: AstNode, name: string): nunjucks.Template => {
    markCallees(ast);
    const compiler = new internals.compiler.Compiler(name, false);
    compiler.compile(ast);
    // As nunjucks' own Template._compile, then every entry point gets the safe runtime.
    const props = new Function(compiler.getCode())() as Record<string, unknown>;
    for (const [key, fn] of Object.entries(props)) {
      if (typeof fn !== 'function') continue;
      props[key] = (env: unknown, context: unknown, frame: unknown, _runtime: unknown, cb: unknown) => (fn as (...a: unknown[]) => unknown)(env, context, frame, runtime, cb);
    }
    return new nunjucks.Template({ type: 'code', obj: props } as unknown as string, env, name, true);
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

  return { check: (ast) => checkTree(ast, internal), compile, render, callable };
}

interface Frame {
  variables: Record<string, unknown>;
  parent?: Frame;
}
