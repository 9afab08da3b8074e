import { randomBytes } from 'node:crypto';
import nunjucks from 'nunjucks';
import { quoteMarkers } from './shell-quoting.ts';
import { DATASTORE_CONTEXT_KEY, decryptKv } from '../datastore/template-filter.ts';
import { internals, type AstNode } from '../template/nunjucks-internals.ts';
import { parsePython } from '../template/python-parser.ts';
import { pythonTemplate } from '../template/python-source.ts';
import { createSandbox } from '../template/sandbox.ts';
import { splitKeywords } from '../workflow/expressions/jinja-filters.ts';
import { addPythonJinja } from '../workflow/expressions/jinja-python.ts';
import { PARSED_METHODS, pythonize } from '../workflow/expressions/jinja-rewrite.ts';
import { pyJsonDumps } from '../workflow/expressions/pystr.ts';
import { VERSION_FUNCTIONS } from '../workflow/expressions/semver.ts';
import { ST2_FUNCTIONS } from '../workflow/expressions/st2-functions.ts';

/*
 * Jinja rendering of parameter templates, with nunjucks (autoescape off).
 *
 * Every `{{ expression }}` output is wrapped, in the template's syntax tree, by a hidden filter
 * (`__st2_out`) that records the expression's value and emits an unguessable marker instead of
 * the value. After rendering, markers are replaced:
 *   - "value" mode: by the value's text (or the native value when the whole template is one
 *     expression, so `"{{ count }}"` stays an integer and `"{{ obj }}"` an object);
 *   - "shell" mode (the `cmd` of local-shell-cmd): by a reference to an environment variable
 *     holding the value (`"${ST2_ARG_message}"`, quoted to fit the surrounding shell quotes).
 *     The values go to the child process through that environment (`commandEnv`), so no value,
 *     whatever it contains, is ever parsed by the shell: no injection, and the command still
 *     prints exactly the value (`echo "{{message}}"` → `echo "${ST2_ARG_message}"`).
 * Since the wrapper is the outermost node of each output, filters (`| default('x')`, `| upper`)
 * are applied first and their result is what is recorded, so filtered values are safe too.
 *
 * The environment is a sandbox (src/template/sandbox.ts): a template reads only plain data
 * and calls only `range()`; macros, includes and imports are refused.
 *
 * The syntax and meaning are Python-Jinja's, as in st2 (shared with workflow Jinja): string
 * escapes, slices, tuples, `%` and `.format()`, Python methods, truthiness and `==`, the
 * Python tests, `None`/`True`/`False`, and st2's filters (ST2_FILTERS).
 */

const OUT_FILTER = '__st2_out';
const STATE_KEY = '__st2_render_state';
const GLOBAL_NAMES = new Set(['range', 'loop', 'None', 'True', 'False']);
/** Python's spellings of the constants (nunjucks knows none/true/false). */
const PY_CONSTANTS = { None: null, True: true, False: false };
/** The filters st2 adds to Jinja for parameter rendering (st2common/util/jinja.py); decrypt_kv needs the datastore. */
const ST2_FILTER_NAMES = [
  'from_json_string',
  'from_yaml_string',
  'json_escape',
  'jsonpath_query',
  'to_json_string',
  'to_yaml_string',
  'regex_match',
  'regex_replace',
  'regex_search',
  'regex_substring',
  'to_human_time_from_seconds',
  'use_none',
  'basename',
  'dirname',
  ...Object.keys(VERSION_FUNCTIONS),
];
/** Nodes whose these fields declare template-local names. */
const DECLARING_FIELDS: Record<string, string[]> = {
  For: ['name'],
  AsyncEach: ['name'],
  AsyncAll: ['name'],
  Set: ['targets'],
  Macro: ['name', 'args'],
  Caller: ['args'],
  Import: ['target'],
  FromImport: ['names'],
};

interface RenderState {
  nonce: string;
  values: unknown[];
  names: (string | undefined)[];
}

/** A parsed template: the names it reads, and its compiled, output-wrapped form. */
export interface CompiledTemplate {
  source: string;
  /** Free names the template reads (template-local names and nunjucks globals excluded). */
  references: string[];
  template: nunjucks.Template;
}

/** True when `value` holds Jinja syntax (st2's `is_jinja_expression`). */
export function isTemplate(value: unknown): value is string {
  return typeof value === 'string' && /\{\{|\{%|\{#/.test(value);
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).typename === 'string';
}

function children(node: AstNode): { field: string; child: AstNode }[] {
  const out: { field: string; child: AstNode }[] = [];
  for (const field of node.fields) {
    const value = node[field];
    const list = Array.isArray(value) ? value : [value];
    for (const child of list) if (isNode(child)) out.push({ field, child });
  }
  return out;
}

function collectSymbols(node: AstNode, into: Set<string>): void {
  if (node.typename === 'Symbol') into.add(String(node.value));
  for (const { child } of children(node)) collectSymbols(child, into);
}

function collectNames(node: AstNode, refs: Set<string>, locals: Set<string>): void {
  if (node.typename === 'Symbol') {
    refs.add(String(node.value));
    return;
  }
  // `x is defined`, `x is gt(1)`: the test's name is not a variable, its arguments may hold some.
  if (node.typename === 'Is') {
    collectNames(node.left as AstNode, refs, locals);
    const right = node.right as AstNode;
    if (right.typename === 'FunCall') collectNames(right.args as AstNode, refs, locals);
    return;
  }
  const declaring = DECLARING_FIELDS[node.typename] ?? [];
  for (const { field, child } of children(node)) {
    if (declaring.includes(field)) collectSymbols(child, locals);
    // A filter's name is not a variable; a `{key: v}` or `f(key=v)` key is a literal.
    else if (node.typename === 'Filter' && field === 'name') continue;
    else if (node.typename === 'Pair' && field === 'key' && child.typename === 'Symbol') continue;
    else collectNames(child, refs, locals);
  }
}

function wrapOutputs(node: AstNode): void {
  const { nodes } = internals;
  if (node.typename === 'Output') {
    const list = node.children as AstNode[];
    node.children = list.map((child) => {
      if (child.typename === 'TemplateData') return child;
      const label = child.typename === 'Symbol' ? String(child.value) : '';
      const args = new nodes.NodeList(child.lineno, child.colno, [child, new nodes.Literal(child.lineno, child.colno, label)]);
      return new nodes.Filter(child.lineno, child.colno, new nodes.Symbol(child.lineno, child.colno, OUT_FILTER), args);
    });
  }
  for (const { child } of children(node)) wrapOutputs(child);
}

function markerPattern(nonce: string): RegExp {
  return new RegExp(`\u0000${nonce}:(\\d+)\u0000`, 'g');
}

/** How a value is printed into a template's text: strings as-is, objects as JSON, null as nothing. */
export function stringifyValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function resolveMarkers(text: string, state: RenderState): string {
  return text.replace(markerPattern(state.nonce), (_m, i: string) => stringifyValue(state.values[Number(i)]));
}

const environment = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
const sandbox = createSandbox(environment, { internalFilters: [OUT_FILTER] });
addPythonJinja(environment);
const ST2_CATALOG = { ...ST2_FUNCTIONS, ...VERSION_FUNCTIONS };
for (const name of ST2_FILTER_NAMES) {
  const fn = ST2_CATALOG[name];
  if (fn === undefined) throw new Error(`st2 filter ${name} is not in the catalog`);
  environment.addFilter(name, (...raw: unknown[]) => {
    const [args, kwargs] = splitKeywords(raw);
    return fn({ ctx: {} }, args, kwargs);
  });
}
// st2's to_complex: json.dumps of the value.
environment.addFilter('to_complex', (value: unknown) => pyJsonDumps(value));
environment.addFilter(OUT_FILTER, function (this: { ctx: Record<string, unknown> }, value: unknown, label: string) {
  const state = this.ctx[STATE_KEY] as RenderState;
  // A bare name without value is a parameter nobody gave (unknown names are refused before rendering): it renders
  // empty, as st2's None does in text. Anything else undefined (`d.missing`) is an error, as with st2's StrictUndefined.
  if (value === undefined && label === '') throw new TemplateValueError('an expression has no value');
  if (value === undefined) value = null;
  // A captured block (`{% set x %}..{% endset %}`) holds markers of its own outputs: record its text.
  const recorded = typeof value === 'string' ? resolveMarkers(value, state) : value;
  state.values.push(recorded);
  state.names.push(label === '' ? undefined : label);
  return `\u0000${state.nonce}:${state.values.length - 1}\u0000`;
});

// st2's decrypt_kv: the snapshot read before rendering travels in the render context (see src/datastore).
environment.addFilter('decrypt_kv', function (this: { ctx: Record<string, unknown> }, value: unknown) {
  return decryptKv(this.ctx[DATASTORE_CONTEXT_KEY], value);
});

/** An expression's value is undefined (a missing key or attribute). */
export class TemplateValueError extends Error {
  override name = 'TemplateValueError';
}

/**
 * Parses and compiles `source` once. Throws the nunjucks syntax error as is, and SandboxError
 * when the template reaches outside the sandbox (a JavaScript built-in, a macro, an include).
 * @example compileTemplate('echo "{{message}}"').references // ['message']
 */
export function compileTemplate(source: string, name = 'template'): CompiledTemplate {
  const ast = parsePython(pythonTemplate(source), PARSED_METHODS);
  sandbox.check(ast);
  const refs = new Set<string>();
  const locals = new Set<string>();
  collectNames(ast, refs, locals);
  pythonize(ast, { wrapOutputs: false });
  wrapOutputs(ast);
  const template = sandbox.compile(ast, name);
  const references = [...refs].filter((n) => !locals.has(n) && !GLOBAL_NAMES.has(n) && n !== OUT_FILTER);
  return { source, references, template };
}

function renderRaw(compiled: CompiledTemplate, context: Record<string, unknown>): { text: string; state: RenderState } {
  const state: RenderState = { nonce: randomBytes(9).toString('hex'), values: [], names: [] };
  const text = sandbox.render(compiled.template, { ...PY_CONSTANTS, ...context, [STATE_KEY]: state });
  return { text, state };
}

/**
 * Renders as a value: the native value when the template is a single `{{ expression }}`,
 * otherwise the text with each value printed by `stringifyValue`.
 */
export function renderValue(compiled: CompiledTemplate, context: Record<string, unknown>): unknown {
  const { text, state } = renderRaw(compiled, context);
  const whole = new RegExp(`^\u0000${state.nonce}:(\\d+)\u0000$`).exec(text);
  if (whole) return state.values[Number(whole[1])];
  return resolveMarkers(text, state);
}

/** A shell command whose interpolated values live in environment variables. */
export interface ShellRender {
  command: string;
  /** Variables the command references; the runner must set them in the child's environment. */
  env: Record<string, string>;
}

/** Prefix of the environment variables holding values interpolated into a shell command. */
export const COMMAND_ENV_PREFIX = 'ST2_ARG_';

/**
 * Renders a shell command: every interpolated value becomes a quoted reference to an
 * environment variable (`"${ST2_ARG_message}"`), fitted to the quoting around it.
 * @example renderShellCommand(compileTemplate('echo "{{m}}"'), { m: '$(id)' })
 *   // { command: 'echo "${ST2_ARG_m}"', env: { ST2_ARG_m: '$(id)' } }
 */
export function renderShellCommand(compiled: CompiledTemplate, context: Record<string, unknown>): ShellRender {
  const { text, state } = renderRaw(compiled, context);
  const env: Record<string, string> = {};
  const varFor = (i: number): string => {
    const value = stringifyValue(state.values[i]);
    const label = state.names[i];
    if (label !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(label)) {
      const named = `${COMMAND_ENV_PREFIX}${label}`;
      if (env[named] === undefined || env[named] === value) {
        env[named] = value;
        return named;
      }
    }
    // Numbered names cannot clash with named ones: identifiers do not start with a digit.
    let n = i + 1;
    while (env[`${COMMAND_ENV_PREFIX}${n}`] !== undefined && env[`${COMMAND_ENV_PREFIX}${n}`] !== value) n += 1;
    env[`${COMMAND_ENV_PREFIX}${n}`] = value;
    return `${COMMAND_ENV_PREFIX}${n}`;
  };
  return { command: quoteMarkers(text, state.nonce, varFor), env };
}
