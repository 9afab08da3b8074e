import nunjucks from 'nunjucks';
import { SandboxError } from './errors.ts';
import { internals, type AstNode } from './nunjucks-internals.ts';
import { assertPlainData, isPlainData, ownMember } from './plain-data.ts';

/*
 * nunjucks is no sandbox: its compiled templates read any JavaScript member (`x.constructor`),
 * call any function they reach, and look names up through prototypes. This module makes a
 * nunjucks Environment safe by structure, for parameter rendering and workflow Jinja alike:
 *
 *   - the syntax tree is checked before compiling: only expression tags (`if`, `for`, `set`,
 *     output), no macro, call, import, include, extends, block or extension; names are plain
 *     identifiers that are not JavaScript built-ins; a call's callee is a name; filters and
 *     tests are ones registered on the environment (own properties, never inherited);
 *   - the compiled code runs against a runtime whose lookups see only own enumerable data
 *     properties of plain dicts and lists (`ownMember`), whose calls reach only functions
 *     registered with `callable()`, and whose globals are those functions;
 *   - every value passed to or returned by a function or filter must be plain data.
 */

/** Syntax-tree nodes a template may hold. Everything else (Macro, Caller, Import, Include, Extends, Block, CallExtension, async nodes) is refused. */
const ALLOWED_NODES = new Set([
  'Root', 'NodeList', 'Output', 'TemplateData', 'Literal', 'Symbol', 'Group', 'Array', 'Dict', 'Pair',
  'If', 'InlineIf', 'For', 'Set', 'Capture', 'Switch', 'Case',
  'FunCall', 'Filter', 'KeywordArgs', 'LookupVal', 'Is', 'In',
  'Or', 'And', 'Not', 'Add', 'Concat', 'Sub', 'Mul', 'Div', 'FloorDiv', 'Mod', 'Pow', 'Neg', 'Pos',
  'Compare', 'CompareOperand',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Prototypes of the values data holds: their members are what an attribute path must not reach. */
const DATA_PROTOTYPES: object[] = [Object.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype];

/**
 * A variable name that could reach a JavaScript built-in through an object's prototype
 * (`constructor`, `__proto__`, `valueOf`, `toString`, ...) or an internal variable (`__*`).
 * nunjucks resolves template-local names at compile time through plain objects, so these are
 * refused before compiling.
 */
export function isUnsafeName(name: string): boolean {
  return name.startsWith('__') || name === 'prototype' || name in Object.prototype;
}

/** An attribute that a dict, list, string or number inherits (`constructor`, `map`, `length`, `toString`, ...). */
function isBuiltinMember(name: string): boolean {
  return isUnsafeName(name) || DATA_PROTOTYPES.some((p) => name in p);
}

/** Builtin filters that read an attribute named by an argument (`sort(attribute='x')`), and where that argument is. */
const ATTRIBUTE_ARGS: Record<string, number[]> = { sort: [3], groupby: [1], selectattr: [1], rejectattr: [1], join: [2], sum: [1], map: [] };

/**
 * A call `f(x)` is compiled as a lookup of this prefix + `f`: functions are reachable only in
 * call position, so a template never holds a function as a value (`{{ f ~ '' }}`, `[f]`).
 */
const CALL_PREFIX = '__call_';

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

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).typename === 'string';
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

  const wrappedFilters = new Map<string, (...args: unknown[]) => unknown>();
  raw.getFilter = (name: string) => {
    const cached = wrappedFilters.get(name);
    if (cached) return cached;
    if (!Object.hasOwn(raw.filters, name)) throw new Error(`filter not found: ${name}`);
    const filter = raw.filters[name] as (...args: unknown[]) => unknown;
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
    wrappedFilters.set(name, wrapped);
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

  const checkName = (name: unknown, role: string): void => {
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) throw new SandboxError(`${role} ${JSON.stringify(String(name))}`, 'expected an identifier');
    if (isUnsafeName(name)) throw new SandboxError(`"${name}"`, 'names a JavaScript built-in or an internal variable, not a template variable');
  };
  // An unknown filter or test fails when reached, with nunjucks' message ("filter not found: x").
  const checkRegistered = (name: unknown, kind: 'filter' | 'test'): void => {
    if (typeof name !== 'string' || !IDENTIFIER.test(name) || name in Object.prototype || internal.has(name)) {
      throw new SandboxError(`${kind} "${String(name)}"`, `not a registered ${kind}`);
    }
  };

  const check = (node: AstNode): void => {
    if (!ALLOWED_NODES.has(node.typename)) throw new SandboxError(`tag ${node.typename}`, 'not allowed (only output, if, for, set and expressions are)');
    switch (node.typename) {
      case 'Symbol':
        checkName(node.value, 'name');
        return;
      case 'Filter':
        checkRegistered((node.name as AstNode).value, 'filter');
        check(node.args as AstNode);
        return;
      case 'Is': {
        const right = node.right as AstNode;
        const test = right.typename === 'FunCall' ? (right.name as AstNode) : right;
        if (test.typename !== 'Symbol') throw new SandboxError('"is"', 'expected a test name');
        checkRegistered(test.value, 'test');
        check(node.left as AstNode);
        if (right.typename === 'FunCall') check(right.args as AstNode);
        return;
      }
      // nunjucks writes these names into the compiled code unescaped: `{% set "a\");code;//" = 1 %}` would run code.
      case 'Set':
        for (const target of node.targets as AstNode[]) if (target.typename !== 'Symbol') throw new SandboxError('"set"', 'expected variable names to assign');
        break;
      case 'For': {
        const name = node.name as AstNode;
        const names = name.typename === 'Array' ? (name.children as AstNode[]) : [name];
        if (names.some((n) => n.typename !== 'Symbol')) throw new SandboxError('"for"', 'expected loop variable names');
        break;
      }
      case 'FunCall':
        if ((node.name as AstNode).typename !== 'Symbol') throw new SandboxError('a call', 'only functions called by name (`f(x)`) are allowed, not methods or computed callees');
        break;
      case 'Pair': {
        const key = node.key as AstNode;
        if (key.typename === 'Literal' || key.typename === 'Symbol') {
          if (key.value === '__proto__') throw new SandboxError('key "__proto__"', 'not allowed in a dict');
          check(node.value as AstNode);
          return;
        }
        break;
      }
      case 'Literal':
        if (node.value !== null && !['string', 'number', 'boolean', 'undefined'].includes(typeof node.value)) throw new SandboxError('a literal', 'expected a string, number or boolean');
        return;
    }
    for (const field of node.fields) {
      const value = node[field];
      const list = Array.isArray(value) ? value : [value];
      for (const child of list) if (isNode(child)) check(child);
    }
  };

  const markCallees = (node: AstNode): void => {
    const callee = node.name as AstNode | undefined;
    // A node may be shared (pythonize reuses an operand of `and`/`or`): mark it once.
    if (node.typename === 'FunCall' && callee?.typename === 'Symbol' && !String(callee.value).startsWith(CALL_PREFIX)) {
      node.name = new internals.nodes.Symbol(callee.lineno, callee.colno, CALL_PREFIX + String(callee.value));
    }
    for (const field of node.fields) {
      const value = node[field];
      for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) markCallees(child);
    }
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

  return { check, compile, render, callable };
}

interface Frame {
  variables: Record<string, unknown>;
  parent?: Frame;
}
