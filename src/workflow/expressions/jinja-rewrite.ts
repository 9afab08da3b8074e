/**
 * Jinja source and syntax-tree rewriting, so that nunjucks (JavaScript semantics) evaluates
 * workflow Jinja as Python would:
 *
 *   - in the source, Python method calls become hidden filters (`x.items()` → `x|__py_items()`),
 *     in expression code only, never in string literals or template text;
 *   - in the parsed tree, `if`/`not`/`and`/`or` test Python truthiness, `==`/`!=` compare values
 *     deeply, and every `{{ }}` output goes through OUTPUT_FILTER.
 *
 * The filters these rewrites name are registered by jinja.ts (implementations in jinja-filters.ts).
 */
import { internals, type AstNode } from '../../template/nunjucks-internals.ts';

/** Every `{{ }}` output goes through this filter; the render decides what it does. */
export const OUTPUT_FILTER = '__output';
/** Python truthiness of a value. */
export const TRUTHY_FILTER = '__truthy';
/** Python `==` and `!=`: deep comparison without coercion. */
export const EQ_FILTER = '__py_eq';
export const NE_FILTER = '__py_ne';

/** The Python methods workflows call (`d.items()`, `s.upper()`, `', '.join(xs)`...). */
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

/** The hidden filter a Python method call is rewritten into. */
export function pyMethodFilter(name: PyMethod): string {
  return `__py_${name}`;
}

const METHOD_CALL = new RegExp(`\\.(${PY_METHOD_NAMES.join('|')})\\(`, 'g');

/** Rewrites Python method calls (and keys named like literals) in expression code, leaving string literals alone. */
export function rewriteCode(code: string): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const literal = code[i] === '"' || code[i] === "'";
    const end = literal ? stringLiteralEnd(code, i) : codeEnd(code, i);
    out += literal ? code.slice(i, end) : rewriteBareCode(code.slice(i, end));
    i = end;
  }
  return out;
}

/** Where the string literal opening at `start` ends (after its closing quote, or at the end of code). */
function stringLiteralEnd(code: string, start: number): number {
  const quote = code[start];
  let k = start + 1;
  while (k < code.length && code[k] !== quote) k += code[k] === '\\' ? 2 : 1;
  return k + 1;
}

/** Where the code starting at `start` reaches the next string literal (or the end). */
function codeEnd(code: string, start: number): number {
  let k = start;
  while (k < code.length && code[k] !== '"' && code[k] !== "'") k++;
  return k;
}

function rewriteBareCode(code: string): string {
  return (
    code
      .replace(METHOD_CALL, (_m, name: PyMethod) => `|${pyMethodFilter(name)}(`)
      // nunjucks lexes these as literals even after a dot: `x.none` → `x['none']`
      .replace(/\.(none|null|true|false)\b/g, "['$1']")
  );
}

/** Applies rewriteCode to the code inside `{{ }}` and `{% %}` tags of a template. */
export function rewriteTemplate(text: string): string {
  return text.replace(/(\{\{|\{%)([\s\S]*?)(\}\}|%\})/g, (_m, open: string, code: string, close: string) => open + rewriteCode(code) + close);
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
 * deeply without coercion. Outputs are wrapped by OUTPUT_FILTER. Children first, then the node.
 */
export function pythonize(node: AstNode): AstNode {
  for (const field of node.fields) {
    const value = node[field];
    if (Array.isArray(value)) node[field] = value.map((v) => (isNode(v) ? pythonize(v) : v));
    else if (isNode(value)) node[field] = pythonize(value);
  }
  return pythonizeNode(node);
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
    case 'Output':
      node.children = (node.children as AstNode[]).map((child) => (child.typename === 'TemplateData' ? child : filterNode(OUTPUT_FILTER, child)));
      return node;
    default:
      return node;
  }
}
