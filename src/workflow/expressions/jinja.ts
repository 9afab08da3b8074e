/**
 * Jinja expressions (`{{ expr }}`, `{% block %}`) through nunjucks, with orquesta's functions as
 * globals and filters, plus the Jinja/st2 filters workflows use.
 *
 * Templates are parsed by nunjucks and their syntax tree rewritten before compiling: every
 * `{{ expr }}` output goes through a filter which, for a single expression, captures the typed
 * value and, in a template with blocks, prints it as Python's `str()` would (True, None, ['a'],
 * {'k': 'v'}), as orquesta does; `if`/`not`/`and`/`or` use Python truthiness and `==` compares
 * values (see pythonize).
 *
 * Its own nunjucks Environment: nothing global (no installJinjaCompat) is changed. The
 * environment is a sandbox (src/template/sandbox.ts): templates see plain data and call only
 * the functions and filters registered here.
 */
import nunjucks from 'nunjucks';
import { CATALOG } from './functions.ts';
import { pyRegex, toJsonString, toYamlString } from './st2-functions.ts';
import { Fault, fault, typeFault } from './faults.ts';
import { deepEqual, isPlainObject, pyJsonDumps, pyStr, truthy } from './pystr.ts';
import type { ExpressionContext } from './types.ts';
import { SandboxError } from '../../template/errors.ts';
import { internals, type AstNode } from '../../template/nunjucks-internals.ts';
import { ownMember } from '../../template/plain-data.ts';
import { createSandbox } from '../../template/sandbox.ts';

const environment = new nunjucks.Environment(null, {
  autoescape: false,
  throwOnUndefined: true,
  trimBlocks: true,
  lstripBlocks: true,
});
/** Every `{{ }}` output goes through this filter; the render decides what it does (`__emit`). */
const OUTPUT_FILTER = '__output';
const sandbox = createSandbox(environment, { internalFilters: [OUTPUT_FILTER] });

/** The context of the evaluation under way (renders are synchronous), for filters. */
let active: ExpressionContext | undefined;
/** nunjucks re-wraps errors thrown by functions and filters: the original is kept here. */
let lastFault: Fault | undefined;

function guarded<T, A extends unknown[], R>(fn: (this: T, ...args: A) => R): (this: T, ...args: A) => R {
  return function (this: T, ...args: A) {
    try {
      return fn.apply(this, args);
    } catch (e) {
      if (e instanceof Fault) lastFault = e;
      throw e;
    }
  };
}

function splitKeywords(args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1];
  if (isPlainObject(last) && last.__keywords === true) {
    const kwargs: Record<string, unknown> = { ...last };
    delete kwargs.__keywords;
    return [args.slice(0, -1), kwargs];
  }
  return [args, {}];
}

function activeContext(): ExpressionContext {
  if (!active) throw fault('ExpressionEvaluationException', 'The context is not set.');
  return active;
}

function definedArgs(name: string, args: unknown[]): unknown[] {
  args.forEach((a, i) => {
    if (a === undefined) throw fault('UndefinedError', `argument ${i + 1} of ${name}() is undefined`);
  });
  return args;
}

// Orquesta and st2 functions are both filters (`x | to_json_string`) and globals (`to_json_string(x)`).
for (const [name, fn] of Object.entries(CATALOG)) {
  environment.addFilter(
    name,
    guarded((...raw: unknown[]) => {
      const [args, kwargs] = splitKeywords(raw);
      return fn(activeContext(), definedArgs(name, args), kwargs);
    }),
  );
}

function pluck(value: unknown, attribute: string): unknown {
  let v = value;
  for (const part of attribute.split('.')) {
    v = ownMember(v, Array.isArray(v) && /^\d+$/.test(part) ? Number(part) : part);
    if (v === undefined) return undefined;
  }
  return v;
}

function iterable(value: unknown, filter: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw typeFault(`${filter}: value is not iterable`);
}

/** Jinja's `tojson`: sorted keys, HTML-sensitive characters escaped. */
function tojson(value: unknown, indent?: unknown): string {
  return pyJsonDumps(value, { sortKeys: true, indent: typeof indent === 'number' ? indent : null, ensureAscii: false })
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/'/g, '\\u0027');
}

const extraFilters: Record<string, (...args: unknown[]) => unknown> = {
  tojson: (value, indent) => tojson(value, isPlainObject(indent) ? indent.indent : indent),
  string: (value) => pyStr(value),
  bool: (value) => truthy(value),
  items: (value) => (isPlainObject(value) ? Object.entries(value) : []),
  unique: (value) => {
    const seen: string[] = [];
    return iterable(value, 'unique').filter((x) => {
      const key = JSON.stringify(x);
      if (seen.includes(key)) return false;
      seen.push(key);
      return true;
    });
  },
  map: (value, ...raw) => {
    const [args, kwargs] = splitKeywords(raw);
    const items = iterable(value, 'map');
    if (typeof kwargs.attribute === 'string') {
      const attr = kwargs.attribute;
      return items.map((x) => {
        const v = pluck(x, attr);
        return v === undefined ? (kwargs.default ?? undefined) : v;
      });
    }
    const name = args[0];
    if (typeof name !== 'string' || name === OUTPUT_FILTER) throw typeFault('map: expected a filter name or attribute=');
    const filter = environment.getFilter(name) as (...a: unknown[]) => unknown;
    return items.map((x) => filter(x, ...args.slice(1)));
  },
  regex_escape: (value) => pyStr(value).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
  regex_findall: (value, pattern) => [...pyStr(value).matchAll(pyRegex(pyStr(pattern), 'g'))].map((m) => (m.length > 1 ? m[1] : m[0])),
  to_nice_json: (value, indent) => toJsonString(value, { indent: typeof indent === 'number' ? indent : 4, sort_keys: true }),
  to_nice_yaml: (value) => toYamlString(value),
};
for (const [name, fn] of Object.entries(extraFilters)) environment.addFilter(name, guarded(fn));

// ---------------------------------------------------------------- Python methods

/**
 * Jinja runs on Python objects, so workflows call Python methods (`d.items()`, `d.get('k', 0)`,
 * `s.upper()`, `', '.join(xs)`). nunjucks has JavaScript objects; these calls are rewritten, in
 * expression code only (never in string literals or template text), into hidden filters:
 * `x.items()` → `x|__py_items()`.
 */
const PY_METHODS: Record<string, (self: unknown, ...args: unknown[]) => unknown> = {
  items: (d) => Object.entries(asDict(d, 'items')),
  keys: (d) => Object.keys(asDict(d, 'keys')),
  values: (d) => Object.values(asDict(d, 'values')),
  get: (d, key, fallback = null) => {
    const dict = asDict(d, 'get');
    const k = pyStr(key);
    return Object.prototype.hasOwnProperty.call(dict, k) ? dict[k] : fallback;
  },
  upper: (s) => asStr(s, 'upper').toUpperCase(),
  lower: (s) => asStr(s, 'lower').toLowerCase(),
  strip: (s, chars) => strip(asStr(s, 'strip'), chars, true, true),
  lstrip: (s, chars) => strip(asStr(s, 'lstrip'), chars, true, false),
  rstrip: (s, chars) => strip(asStr(s, 'rstrip'), chars, false, true),
  startswith: (s, prefix) => asStr(s, 'startswith').startsWith(pyStr(prefix)),
  endswith: (s, suffix) => asStr(s, 'endswith').endsWith(pyStr(suffix)),
  split: (s, sep) => {
    const text = asStr(s, 'split');
    return sep === undefined || sep === null ? text.split(/\s+/).filter((x) => x !== '') : text.split(pyStr(sep));
  },
  replace: (s, old, rep) => asStr(s, 'replace').split(pyStr(old)).join(pyStr(rep)),
  join: (sep, items) => iterable(items, 'join').map(pyStr).join(asStr(sep, 'join')),
};

function asDict(value: unknown, method: string): Record<string, unknown> {
  if (isPlainObject(value)) return value;
  throw typeFault(`.${method}() needs a dict`);
}

function asStr(value: unknown, method: string): string {
  if (typeof value === 'string') return value;
  throw typeFault(`.${method}() needs a string`);
}

function strip(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? null : new Set(pyStr(chars));
  const drop = (ch: string) => (set ? set.has(ch) : /\s/.test(ch));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && drop(s[a] as string)) a++;
  if (right) while (b > a && drop(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

for (const [name, fn] of Object.entries(PY_METHODS)) environment.addFilter(`__py_${name}`, guarded(fn));

const METHOD_CALL = new RegExp(`\\.(${Object.keys(PY_METHODS).join('|')})\\(`, 'g');

/** Rewrites Python method calls (and keys named like literals) in expression code, leaving string literals alone. */
export function rewriteCode(code: string): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const ch = code[i] as string;
    if (ch === '"' || ch === "'") {
      let k = i + 1;
      while (k < code.length && code[k] !== ch) k += code[k] === '\\' ? 2 : 1;
      out += code.slice(i, k + 1);
      i = k + 1;
      continue;
    }
    let k = i;
    while (k < code.length && code[k] !== '"' && code[k] !== "'") k++;
    out += code
      .slice(i, k)
      .replace(METHOD_CALL, (_m, name: string) => `|__py_${name}(`)
      // nunjucks lexes these as literals even after a dot: `x.none` → `x['none']`
      .replace(/\.(none|null|true|false)\b/g, "['$1']");
    i = k;
  }
  return out;
}

/** Applies rewriteCode to the code inside `{{ }}` and `{% %}` tags of a template. */
function rewriteTemplate(text: string): string {
  return text.replace(/(\{\{|\{%)([\s\S]*?)(\}\}|%\})/g, (_m, open: string, code: string, close: string) => open + rewriteCode(code) + close);
}

// ---------------------------------------------------------------- compile and run

const EMIT_KEY = '__emit';
environment.addFilter(
  OUTPUT_FILTER,
  guarded(function (this: { ctx: Record<string, unknown> }, value: unknown) {
    return (this.ctx[EMIT_KEY] as (v: unknown) => string)(value);
  }),
);
environment.addFilter('__truthy', truthy);
environment.addFilter('__py_eq', (a: unknown, b: unknown) => deepEqual(a, b));
environment.addFilter('__py_ne', (a: unknown, b: unknown) => !deepEqual(a, b));

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).typename === 'string';
}

function filterNode(name: string, ...args: AstNode[]): AstNode {
  const { nodes } = internals;
  const at = args[0] as AstNode;
  return new nodes.Filter(at.lineno, at.colno, new nodes.Symbol(at.lineno, at.colno, name), new nodes.NodeList(at.lineno, at.colno, args));
}

/**
 * Python semantics where JavaScript's differ: truthiness in `if`, `not`, `and`, `or` (an empty
 * list or dict is false; `and`/`or` still return an operand), and `==`/`!=` comparing values
 * deeply without coercion. Outputs are wrapped by OUTPUT_FILTER.
 */
function pythonize(node: AstNode): AstNode {
  for (const field of node.fields) {
    const value = node[field];
    if (Array.isArray(value)) node[field] = value.map((v) => (isNode(v) ? pythonize(v) : v));
    else if (isNode(value)) node[field] = pythonize(value);
  }
  const { nodes } = internals;
  switch (node.typename) {
    case 'If':
    case 'InlineIf':
      node.cond = filterNode('__truthy', node.cond as AstNode);
      return node;
    case 'Not':
      node.target = filterNode('__truthy', node.target as AstNode);
      return node;
    case 'And':
    case 'Or': {
      const left = node.left as AstNode;
      const right = node.right as AstNode;
      const test = filterNode('__truthy', left);
      return node.typename === 'And'
        ? new nodes.InlineIf(node.lineno, node.colno, test, right, left)
        : new nodes.InlineIf(node.lineno, node.colno, test, left, right);
    }
    case 'Compare': {
      const ops = node.ops as AstNode[];
      const op = ops[0];
      if (ops.length === 1 && op && (op.type === '==' || op.type === '!=')) {
        return filterNode(op.type === '==' ? '__py_eq' : '__py_ne', node.expr as AstNode, op.expr as AstNode);
      }
      return node;
    }
    case 'Output':
      node.children = (node.children as AstNode[]).map((child) => (child.typename === 'TemplateData' ? child : filterNode(OUTPUT_FILTER, child)));
      return node;
    default:
      return node;
  }
}

const templates = new Map<string, nunjucks.Template>();

function cleanMessage(message: string): string {
  return message
    .replace(/^\(unknown path\)\s*/, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\b(\w*Error): \1: /, '$1: ')
    .replace(/^Error: /, '')
    .trim();
}

function compile(source: string, single: boolean): nunjucks.Template {
  const cacheKey = `${single ? 'e' : 't'}:${source}`;
  let template = templates.get(cacheKey);
  if (template) return template;
  try {
    const ast = internals.parser.parse(source, undefined, (environment as unknown as { opts: unknown }).opts);
    sandbox.check(ast);
    if (single) {
      const outputs = (ast.children as AstNode[]) ?? [];
      const only = outputs[0];
      if (outputs.length !== 1 || only?.typename !== 'Output' || (only.children as AstNode[]).length !== 1) {
        throw new Error('expected a single expression');
      }
    }
    template = sandbox.compile(pythonize(ast), 'expression');
  } catch (e) {
    if (e instanceof SandboxError) throw fault(e.name, e.message);
    throw fault('TemplateSyntaxError', cleanMessage((e as Error).message));
  }
  if (templates.size > 1000) templates.clear();
  templates.set(cacheKey, template);
  return template;
}

function renderContext(context: ExpressionContext, emit: (value: unknown) => string): Record<string, unknown> {
  const vars: Record<string, unknown> = { True: true, False: false, None: null, [EMIT_KEY]: emit };
  for (const [name, fn] of Object.entries(CATALOG)) {
    vars[name] = sandbox.callable(
      guarded((...raw: unknown[]) => {
        const [args, kwargs] = splitKeywords(raw);
        return fn(context, definedArgs(name, args), kwargs);
      }),
    );
  }
  return vars;
}

function run(template: nunjucks.Template, context: ExpressionContext, emit: (value: unknown) => string): string {
  const previous = active;
  active = context;
  lastFault = undefined;
  try {
    return sandbox.render(template, renderContext(context, emit));
  } catch (e) {
    if (e instanceof SandboxError) throw fault(e.name, e.message);
    if (lastFault) throw lastFault;
    const cause = (e as { cause?: unknown }).cause;
    if (e instanceof Fault) throw e;
    const message = cleanMessage((e as Error).message);
    const unknown = /Unable to call `([^`]+)`, which is undefined or falsey/.exec(message);
    if (unknown) throw fault('NoFunctionRegisteredException', `Unknown function "${unknown[1]}"`);
    const unknownFilter = /filter not found: (\S+)/.exec(message);
    if (unknownFilter) throw fault('NoFunctionRegisteredException', `Unknown filter "${unknownFilter[1]}"`);
    throw fault(cause instanceof Error && cause.name !== 'Error' ? cause.name : 'TemplateError', message);
  } finally {
    active = previous;
    lastFault = undefined;
  }
}

function expressionSource(body: string): string {
  if (body.trim() === '') throw fault('TemplateSyntaxError', 'Expected an expression, got end of expression');
  return `{{ ${rewriteCode(body)} }}`;
}

/** Syntax errors of one inline expression body (without `{{ }}`). */
export function jinjaCheckExpression(body: string): string | undefined {
  try {
    compile(expressionSource(body), true);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Syntax errors of a whole template (blocks). */
export function jinjaCheckTemplate(text: string): string | undefined {
  try {
    compile(rewriteTemplate(text), false);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The typed value of one expression body (without `{{ }}`). */
export function jinjaEvaluateExpression(body: string, context: ExpressionContext): unknown {
  const template = compile(expressionSource(body), true);
  let captured: { value: unknown } | undefined;
  run(template, context, (value) => {
    captured = { value };
    return '';
  });
  if (!captured) throw fault('TemplateError', 'expression produced no value');
  if (captured.value === undefined) throw fault('UndefinedError', `"${body.trim()}" is undefined`);
  return captured.value;
}

/** Renders a template with blocks; each `{{ expr }}` prints as Python's str(). */
export function jinjaRenderTemplate(text: string, context: ExpressionContext): string {
  return run(compile(rewriteTemplate(text), false), context, (value) => {
    if (value === undefined) throw fault('UndefinedError', 'an expression in the template is undefined');
    return pyStr(value);
  });
}
