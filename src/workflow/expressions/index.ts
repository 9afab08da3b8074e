/**
 * Orquesta's expression facade: strings holding YAQL (`<% expr %>`) or Jinja (`{{ expr }}`,
 * `{% block %}`) expressions, evaluated against a workflow's context.
 *
 *   evaluate("<% ctx(n) %>", c)        → the typed value (number, list, dict, bool, null)
 *   evaluate("n=<% ctx(n) %>", c)      → "n=3": each value substituted as Python's str() would
 *   evaluate("no expressions", c)      → unchanged
 *
 * As orquesta, the two syntaxes cannot be mixed in one string and an expression spans one line.
 * Unlike orquesta, a value is never evaluated twice: what an expression returns (a variable, an
 * action's result, a user's input) is data, even when it holds `<% %>` or `{{ }}` text.
 */
import { randomBytes } from 'node:crypto';
import { ctxAll } from './orquesta-functions.ts';
import { Fault, KeyFault } from './faults.ts';
import { jinjaCheckExpression, jinjaCheckTemplate, jinjaEvaluateExpression, jinjaRenderTemplate } from './jinja.ts';
import { isPlainObject, pyStr } from './pystr.ts';
import { evaluateNode } from './yaql/evaluator.ts';
import { parseYaql } from './yaql/parser.ts';
import { ExpressionError, type ExpressionContext } from './types.ts';
import { SandboxError } from '../../template/errors.ts';
import { assertPlainData, setOwn } from '../../template/plain-data.ts';

export { ExpressionError, type ExpressionContext } from './types.ts';
export { NONE_MAGIC_VALUE } from './st2-functions.ts';
/** Python truthiness (false, null, 0, '', [], {} are false): how orquesta tests a `when` value. */
export { truthy as isTruthy } from './pystr.ts';

const YAQL_RE = /<%.*?%>/g;
const JINJA_EXPR_RE = /\{\{.*?\}\}/g;
const JINJA_BLOCK_RE = /\{%.*?%\}/g;
const JINJA_RAW_RE = /\{%-?\s*raw\s*-?%\}([\s\S]*?)\{%-?\s*endraw\s*-?%\}/g;

type Syntax = 'yaql' | 'jinja';

function matches(re: RegExp, text: string): string[] {
  return text.match(re) ?? [];
}

function hasYaql(text: string): boolean {
  return matches(YAQL_RE, text).length > 0;
}

function hasJinja(text: string): boolean {
  return matches(JINJA_EXPR_RE, text).length > 0 || matches(JINJA_BLOCK_RE, text).length > 0;
}

const MIXED = 'Expression with multiple types is not supported.';

function syntaxOf(text: string): Syntax | undefined {
  const y = hasYaql(text);
  const j = hasJinja(text);
  if (y && j) throw new ExpressionError(`${MIXED} Unable to evaluate "${text}": it mixes YAQL (<% %>) and Jinja ({{ }}) expressions.`, text);
  return y ? 'yaql' : j ? 'jinja' : undefined;
}

/** True when the string holds a YAQL or Jinja expression (or a Jinja block). */
export function isExpression(text: string): boolean {
  return typeof text === 'string' && (hasYaql(text) || hasJinja(text));
}

function body(expr: string): string {
  return expr.slice(2, -2).trim();
}

function wrap(expr: string, error: unknown): ExpressionError {
  if (error instanceof ExpressionError) return error;
  if (error instanceof KeyFault) {
    return new ExpressionError(`Unable to resolve key '${error.key}' in expression '${expr}' from context.`, expr, { cause: error });
  }
  if (error instanceof SandboxError) {
    return new ExpressionError(`Unable to evaluate expression '${expr}'. SandboxError: ${error.message}`, expr, { cause: error });
  }
  if (error instanceof Fault) {
    return new ExpressionError(`Unable to evaluate expression '${expr}'. ${error.kind}: ${error.message}`, expr, { cause: error });
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return new ExpressionError(`Unable to evaluate expression '${expr}'. ${e.name}: ${e.message}`, expr, { cause: e });
}

/** The value of one expression. A string value is returned as is: it is data, never evaluated again. */
function evaluateOne(expr: string, syntax: Syntax, context: ExpressionContext): unknown {
  let value: unknown;
  try {
    if (syntax === 'yaql') {
      value = evaluateNode(parseYaql(body(expr)), { context, dollar: ctxAll(context), vars: {} });
    } else {
      value = jinjaEvaluateExpression(body(expr), context);
    }
    // Whatever the syntax, only data comes out of an expression.
    assertPlainData(value, 'the value');
  } catch (e) {
    throw wrap(expr, e);
  }
  return value === undefined ? null : value;
}

/** Substitutes each expression of `re` in `text`, or returns the typed value of a lone one. */
function expand(text: string, re: RegExp, syntax: Syntax, context: ExpressionContext): unknown {
  const exprs = matches(re, text);
  if (exprs.length === 0) return text;
  if (exprs.length === 1 && text.trim() === exprs[0]) return evaluateOne(exprs[0], syntax, context);
  // One pass: the substituted values are not scanned again.
  return text.replace(re, (expr) => pyStr(evaluateOne(expr, syntax, context)));
}

function evaluateJinja(text: string, context: ExpressionContext): unknown {
  // Raw blocks are kept out of evaluation and put back, unrendered, at the end. The marker is
  // unguessable so that a rendered value cannot pull a raw block into its place.
  const raws: string[] = [];
  const nonce = `\u0000raw${randomBytes(6).toString('hex')}:`;
  const stripped = text.replace(JINJA_RAW_RE, (_m, content: string) => `${nonce}${raws.push(content) - 1}\u0000`);
  let output: unknown;
  if (matches(JINJA_BLOCK_RE, stripped).length > 0) {
    let rendered: string;
    try {
      rendered = jinjaRenderTemplate(stripped, context);
    } catch (e) {
      throw wrap(text, e);
    }
    output = rendered;
  } else {
    output = expand(stripped, JINJA_EXPR_RE, 'jinja', context);
  }
  if (typeof output === 'string' && raws.length > 0) {
    output = output.replace(new RegExp(`${nonce}(\\d+)\u0000`, 'g'), (_m, i: string) => raws[Number(i)] ?? '');
  }
  return output;
}

/**
 * Evaluates the expressions in `text`. A string that is (once trimmed) exactly one expression
 * gives that expression's typed value; otherwise each expression's value is substituted as
 * Python's `str()` would print it (None, True, ['a'], {'k': 1}). Strings without expressions
 * come back unchanged. Throws ExpressionError.
 *
 * SECURITY: `text` must be written by a workflow author. Values that expressions return are
 * never evaluated again, so pass user input and action results as context, never as `text`.
 * @example evaluate('n=<% ctx(n) %>', { ctx: { n: '{{ 7*7 }}' } }) // 'n={{ 7*7 }}'
 */
export function evaluate(text: string, context: ExpressionContext): unknown {
  if (typeof text !== 'string') return text;
  const syntax = syntaxOf(text);
  if (syntax === 'yaql') return expand(text, YAQL_RE, 'yaql', context);
  if (syntax === 'jinja') return evaluateJinja(text, context);
  return text;
}

/**
 * Evaluates every string in `value`, recursively through lists and dicts (dict keys too).
 * `value` is workflow-author text (input defaults, vars, publish, output, task input): see `evaluate`.
 */
export function renderValue(value: unknown, context: ExpressionContext): unknown {
  if (typeof value === 'string') return evaluate(value, context);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, context));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = evaluate(k, context);
      setOwn(out, typeof key === 'string' ? key : pyStr(key), renderValue(v, context));
    }
    return out;
  }
  return value;
}

/** One malformed expression of a string, as orquesta's inspection reports it. */
export interface ExpressionProblem {
  language: Syntax;
  /** The expression with its delimiters (`<% ... %>`), or the whole text for a Jinja template. */
  expression: string;
  message: string;
}

/**
 * The malformed expressions of `text`, worded as yaql and Jinja word them (`Parse error:
 * unexpected '<' at position 0 of expression '<% succeeded()'`). yaql lexes as it parses, so a
 * grammar error before an illegal character is the one it reports.
 */
export function expressionProblems(text: string): ExpressionProblem[] {
  if (typeof text !== 'string') return [];
  const y = hasYaql(text);
  const j = hasJinja(text);
  if (y && j) return [{ language: 'yaql', expression: text, message: MIXED }];
  if (y) return matches(YAQL_RE, text).flatMap((expr) => yaqlProblem(expr));
  if (!j) return [];
  return validate(text).map((message) => {
    const m = /^TemplateSyntaxError in (?:expression )?'([\s\S]*)': ([\s\S]*)$/.exec(message);
    return { language: 'jinja' as const, expression: m ? m[1] : text, message: m ? m[2] : message };
  });
}

function yaqlProblem(expr: string): ExpressionProblem[] {
  const text = body(expr);
  const grammar = (source: string): string | undefined => {
    try {
      parseYaql(source);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
  let message = grammar(text);
  if (message === undefined) return [];
  const lexical = /^Lexical error: .* at position (\d+)$/.exec(message);
  if (lexical) {
    const before = grammar(text.slice(0, Number(lexical[1])));
    if (before && /^Parse error: unexpected '/.test(before)) message = before;
  }
  if (/^Parse error: unexpected '.*' at position \d+$/s.test(message)) message = `${message} of expression '${text}'`;
  return [{ language: 'yaql', expression: expr, message }];
}

/** Syntax errors of every expression in `text` (empty when all parse), one message each. */
export function validate(text: string): string[] {
  if (typeof text !== 'string') return [];
  const y = hasYaql(text);
  const j = hasJinja(text);
  if (y && j) return [`${MIXED} "${text}" mixes YAQL (<% %>) and Jinja ({{ }}) expressions.`];
  const errors: string[] = [];
  if (y) {
    for (const expr of matches(YAQL_RE, text)) {
      try {
        parseYaql(body(expr));
      } catch (e) {
        const kind = e instanceof Fault ? e.kind : 'YaqlGrammarException';
        errors.push(`${kind} in expression '${expr}': ${(e as Error).message}`);
      }
    }
  }
  if (j) {
    // As orquesta: the whole text (malformed delimiters and blocks), unless it is one expression,
    // then each inline expression.
    const exprs = matches(JINJA_EXPR_RE, text.replace(JINJA_RAW_RE, ''));
    const whole = exprs.length === 1 && exprs[0] === text ? undefined : jinjaCheckTemplate(text);
    if (whole) errors.push(`TemplateSyntaxError in '${text}': ${whole}`);
    for (const expr of exprs) {
      const problem = jinjaCheckExpression(body(expr));
      if (problem) errors.push(`TemplateSyntaxError in expression '${expr}': ${problem}`);
    }
  }
  return errors;
}

const CTX_REF = /\bctx\(['"]?[\][a-zA-Z0-9_'".()]*['"]?\)\.?[\][a-zA-Z0-9_'".()]*/g;
const VAR_EXTRACTS = [
  /(?<=\bctx\(\)\.)([a-zA-Z0-9_-]+)\b(?!\()\.?/, // ctx().x
  /\bctx\(([a-zA-Z0-9_-]+)\)/, // ctx(x)
  /\bctx\('([a-zA-Z0-9_-]+)'\)/, // ctx('x')
  /\bctx\("([a-zA-Z0-9_-]+)"\)/, // ctx("x")
];

/**
 * Names of the workflow variables `text` reads through `ctx(x)`, `ctx('x')`, `ctx("x")` or
 * `ctx().x` (orquesta's extract_vars, used by its inspection of undefined variables). Sorted, unique.
 */
export function extractVariableReferences(text: string): string[] {
  return [...new Set(variableReferences(text).map((ref) => ref.name))].sort();
}

/** Each `ctx` variable read by an expression of `text`, with the expression and its language, in order. */
export function variableReferences(text: string): Array<{ language: Syntax; expression: string; name: string }> {
  if (typeof text !== 'string') return [];
  const exprs = [
    ...matches(YAQL_RE, text).map((expression) => ({ language: 'yaql' as const, expression })),
    ...matches(JINJA_EXPR_RE, text).map((expression) => ({ language: 'jinja' as const, expression })),
  ];
  const refs: Array<{ language: Syntax; expression: string; name: string }> = [];
  for (const { language, expression } of exprs) {
    const seen = new Set<string>();
    for (const ref of expression.slice(2, -2).trim().match(CTX_REF) ?? []) {
      for (const re of VAR_EXTRACTS) {
        const m = re.exec(ref.trim());
        if (m?.[1] && !seen.has(m[1])) {
          seen.add(m[1]);
          refs.push({ language, expression, name: m[1] });
        }
      }
    }
  }
  return refs;
}
