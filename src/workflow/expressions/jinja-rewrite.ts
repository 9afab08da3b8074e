/**
 * Jinja source and syntax-tree rewriting, so that nunjucks (JavaScript semantics) evaluates
 * workflow Jinja as Python would:
 *
 *   - in the source, string literals are decoded as Python decodes them (python-source.ts); method
 *     calls, slices and tuples are the parser's (src/template/python-parser.ts);
 *   - in the parsed tree, `if`/`not`/`and`/`or` test Python truthiness, `==`/`!=` compare values
 *     deeply, and every `{{ }}` output goes through OUTPUT_FILTER.
 *
 * The filters these rewrites name are registered by jinja.ts (implementations in jinja-filters.ts).
 */
import { internals, type AstNode } from '../../template/nunjucks-internals.ts';
import { methodFilter, TUPLE_MARK } from '../../template/python-parser.ts';
import { pythonCode, pythonTemplate } from '../../template/python-source.ts';

/** Every `{{ }}` output goes through this filter; the render decides what it does. */
export const OUTPUT_FILTER = '__output';
/** Python truthiness of a value. */
export const TRUTHY_FILTER = '__truthy';
/** Python `==` and `!=`: deep comparison without coercion. */
export const EQ_FILTER = '__py_eq';
export const NE_FILTER = '__py_ne';
/** Python's `%`: (a, b, b-is-a-tuple-literal), formatting or modulo (jinja-python.ts). */
export const MOD_FILTER = '__py_mod';

/** The Python methods workflows call (`d.items()`, `s.upper()`, `', '.join(xs)`, `"{}".format(x)`...). */
export const PY_METHOD_NAMES = [
  'items',
  'keys',
  'values',
  'get',
  'upper',
  'lower',
  'strip',
  'lstrip',
  'rstrip',
  'startswith',
  'endswith',
  'split',
  'replace',
  'join',
] as const;
export type PyMethod = (typeof PY_METHOD_NAMES)[number];

/** Every method call the parser turns into a filter: PY_METHOD_NAMES and `format` (jinja-python.ts). */
export const PARSED_METHODS: ReadonlySet<string> = new Set([...PY_METHOD_NAMES, 'format']);

/** The hidden filter a Python method call is parsed into. */
export function pyMethodFilter(name: PyMethod): string {
  return methodFilter(name);
}

/** Expression code with Python string literals rewritten for nunjucks (method calls are the parser's: python-parser.ts). */
export function rewriteCode(code: string): string {
  return pythonCode(code);
}

/** Applies rewriteCode to the code inside `{{ }}` and `{% %}` tags of a template (raw blocks left alone). */
export function rewriteTemplate(text: string): string {
  return pythonTemplate(text);
}

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
 * deeply without coercion. Outputs are wrapped by OUTPUT_FILTER unless `wrapOutputs` is false
 * (parameter rendering wraps them its own way). Children first, then the node.
 */
export function pythonize(node: AstNode, options: { wrapOutputs: boolean } = { wrapOutputs: true }): AstNode {
  for (const field of node.fields) {
    const value = node[field];
    if (Array.isArray(value)) node[field] = value.map((v) => (isNode(v) ? pythonize(v, options) : v));
    else if (isNode(value)) node[field] = pythonize(value, options);
  }
  return node.typename === 'Output' && !options.wrapOutputs ? node : pythonizeNode(node);
}

/** The rewrite of one node whose children are already rewritten. */
function pythonizeNode(node: AstNode): AstNode {
  const { nodes } = internals;
  switch (node.typename) {
    case 'If':
    case 'InlineIf':
      node.cond = filterNode(TRUTHY_FILTER, node.cond as AstNode);
      return node;
    case 'Not':
      node.target = filterNode(TRUTHY_FILTER, node.target as AstNode);
      return node;
    case 'And':
    case 'Or': {
      const left = node.left as AstNode;
      const right = node.right as AstNode;
      const test = filterNode(TRUTHY_FILTER, left);
      return node.typename === 'And'
        ? new nodes.InlineIf(node.lineno, node.colno, test, right, left)
        : new nodes.InlineIf(node.lineno, node.colno, test, left, right);
    }
    case 'Compare': {
      const ops = node.ops as AstNode[];
      const op = ops[0];
      if (ops.length === 1 && op && (op.type === '==' || op.type === '!=')) {
        return filterNode(op.type === '==' ? EQ_FILTER : NE_FILTER, node.expr as AstNode, op.expr as AstNode);
      }
      return node;
    }
    // Python's `%`: string formatting or the divisor-signed modulo; a literal tuple on the right is the arguments.
    case 'Mod': {
      const right = node.right as AstNode;
      const isTuple = new nodes.Literal(right.lineno, right.colno, right[TUPLE_MARK] === true);
      return filterNode(MOD_FILTER, node.left as AstNode, right, isTuple);
    }
    case 'Output':
      node.children = (node.children as AstNode[]).map((child) => (child.typename === 'TemplateData' ? child : filterNode(OUTPUT_FILTER, child)));
      return node;
    default:
      return node;
  }
}
