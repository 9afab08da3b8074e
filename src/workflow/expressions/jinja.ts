/**
 * Jinja expressions (`{{ expr }}`, `{% block %}`) through nunjucks: the environment, its filters,
 * compiling (with a cache) and rendering, and the API the expression facade uses.
 *
 * Orquesta's functions are globals and filters, beside the Jinja/st2 filters workflows use
 * (jinja-filters.ts). Templates are parsed by nunjucks and rewritten for Python semantics
 * (jinja-rewrite.ts): every `{{ expr }}` output goes through a filter which, for a single
 * expression, captures the typed value and, in a template with blocks, prints it as Python's
 * `str()` would (True, None, ['a'], {'k': 'v'}), as orquesta does.
 *
 * Its own nunjucks Environment: nothing global (no installJinjaCompat) is changed. The
 * environment is a sandbox (src/template/sandbox.ts): templates see plain data and call only
 * the functions and filters registered here.
 */
import nunjucks from 'nunjucks';
import type { CatalogFunction } from './call-args.ts';
import { CATALOG } from './functions.ts';
import { Fault, fault, typeFault } from './faults.ts';
import { extraFilters, splitKeywords } from './jinja-filters.ts';
import { addPythonJinja } from './jinja-python.ts';
import { OUTPUT_FILTER, PARSED_METHODS, pythonize, rewriteCode, rewriteTemplate } from './jinja-rewrite.ts';
import { pyStr } from './pystr.ts';
import type { ExpressionContext } from './types.ts';
import { SandboxError } from '../../template/errors.ts';
import type { AstNode } from '../../template/nunjucks-internals.ts';
import { parsePython } from '../../template/python-parser.ts';
import { createSandbox } from '../../template/sandbox.ts';

const environment = new nunjucks.Environment(null, {
  autoescape: false,
  throwOnUndefined: true,
  trimBlocks: true,
  lstripBlocks: true,
});
/** The render context entry OUTPUT_FILTER hands each output value to: capture it, or print it. */
const EMIT_KEY = '__emit';
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

/** Calls catalog function `fn` with the context `contextOf()` gives; arguments may not be undefined. */
function catalogCall(name: string, fn: CatalogFunction, contextOf: () => ExpressionContext): (...raw: unknown[]) => unknown {
  return (...raw: unknown[]) => {
    const [args, kwargs] = splitKeywords(raw);
    return fn(contextOf(), definedArgs(name, args), kwargs);
  };
}

/** The filter `map('name')` applies: any a template may name. */
function filterForMap(name: unknown): (...args: unknown[]) => unknown {
  if (typeof name !== 'string' || name === OUTPUT_FILTER) throw typeFault('map: expected a filter name or attribute=');
  return environment.getFilter(name) as (...args: unknown[]) => unknown;
}

// Orquesta and st2 functions are both filters (`x | to_json_string`) and globals (`to_json_string(x)`).
for (const [name, fn] of Object.entries(CATALOG)) environment.addFilter(name, guarded(catalogCall(name, fn, activeContext)));
for (const [name, fn] of Object.entries(extraFilters(filterForMap))) environment.addFilter(name, guarded(fn));
addPythonJinja(environment, guarded);
environment.addFilter(
  OUTPUT_FILTER,
  guarded(function (this: { ctx: Record<string, unknown> }, value: unknown) {
    return (this.ctx[EMIT_KEY] as (v: unknown) => string)(value);
  }),
);

// ---------------------------------------------------------------- compile and run

const templates = new Map<string, nunjucks.Template>();

function cleanMessage(message: string): string {
  return message
    .replace(/^\(unknown path\)\s*/, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\b(\w*Error): \1: /, '$1: ')
    .replace(/^Error: /, '')
    .trim();
}

/** Parses, checks, rewrites and compiles `source` (`single`: it must be one `{{ expr }}`); cached. */
function compile(source: string, single: boolean): nunjucks.Template {
  const cacheKey = `${single ? 'e' : 't'}:${source}`;
  let template = templates.get(cacheKey);
  if (template) return template;
  try {
    const ast = parsePython(source, PARSED_METHODS, (environment as unknown as { opts: unknown }).opts);
    sandbox.check(ast);
    if (single) checkSingleExpression(ast);
    template = sandbox.compile(pythonize(ast), 'expression');
  } catch (e) {
    if (e instanceof SandboxError) throw fault(e.name, e.message);
    throw fault('TemplateSyntaxError', cleanMessage((e as Error).message));
  }
  if (templates.size > 1000) templates.clear();
  templates.set(cacheKey, template);
  return template;
}

function checkSingleExpression(ast: AstNode): void {
  const outputs = (ast.children as AstNode[]) ?? [];
  const only = outputs[0];
  if (outputs.length !== 1 || only?.typename !== 'Output' || (only.children as AstNode[]).length !== 1) {
    throw new Error('expected a single expression');
  }
}

/** Python's constants, the output hook, and the catalog as callable globals bound to `context`. */
function renderContext(context: ExpressionContext, emit: (value: unknown) => string): Record<string, unknown> {
  const vars: Record<string, unknown> = { True: true, False: false, None: null, [EMIT_KEY]: emit };
  for (const [name, fn] of Object.entries(CATALOG)) vars[name] = sandbox.callable(guarded(catalogCall(name, fn, () => context)));
  return vars;
}

/** Renders `template` against `context`; each output value goes to `emit`. Throws a Fault. */
function run(template: nunjucks.Template, context: ExpressionContext, emit: (value: unknown) => string): string {
  const previous = active;
  active = context;
  lastFault = undefined;
  try {
    return sandbox.render(template, renderContext(context, emit));
  } catch (e) {
    throw renderFault(e);
  } finally {
    active = previous;
    lastFault = undefined;
  }
}

/** What a render error reads as: the sandbox's or a function's own error, else nunjucks' message named as Jinja would. */
function renderFault(e: unknown): Error {
  if (e instanceof SandboxError) return fault(e.name, e.message);
  if (lastFault) return lastFault;
  if (e instanceof Fault) return e;
  const cause = (e as { cause?: unknown }).cause;
  const message = cleanMessage((e as Error).message);
  const unknown = /Unable to call `([^`]+)`, which is undefined or falsey/.exec(message);
  if (unknown) return fault('NoFunctionRegisteredException', `Unknown function "${unknown[1]}"`);
  const unknownFilter = /filter not found: (\S+)/.exec(message);
  if (unknownFilter) return fault('NoFunctionRegisteredException', `Unknown filter "${unknownFilter[1]}"`);
  return fault(cause instanceof Error && cause.name !== 'Error' ? cause.name : 'TemplateError', message);
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
