import { internals, type AstNode } from './nunjucks-internals.ts';

/*
 * nunjucks' parser with the Python syntax Jinja has and nunjucks lacks, as syntax-tree nodes the
 * sandbox already knows (no new node type, no global change to nunjucks):
 *
 *   - slices: `x[1:3]`, `x[::-1]`, `x[:n]` become the filter SLICE_FILTER(x, start, stop, step);
 *   - tuples: `("a", 3)` is a list (nunjucks compiles it as JavaScript's comma operator, 3), and
 *     is marked so that `"%s-%d" % ("a", 3)` can tell a tuple of arguments from one list value;
 *   - method calls: `x.upper()`, `s.split(".")[1]`, `"{}".format(x)` become the filter
 *     methodFilter(name)(x, args...) when `name` is one of the given methods. Any other
 *     `x.f()` stays a call on a computed callee, which the sandbox refuses.
 */

/** The filter a slice `x[a:b:c]` is parsed into: (value, start, stop, step), null where omitted. */
export const SLICE_FILTER = '__py_slice';
/** Set on an Array node written as a parenthesised tuple `(a, b)`. */
export const TUPLE_MARK = 'pyTuple';

/** The filter a Python method call `x.name(...)` is parsed into. */
export function methodFilter(name: string): string {
  return `__py_${name}`;
}

interface Token {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}

interface RawParser {
  peekToken(): Token;
  nextToken(): Token;
  skip(type: string): boolean;
  expect(type: string): Token;
  fail(message: string, lineno?: number, colno?: number): never;
  parseExpression(): AstNode;
  parseSignature(): AstNode;
  parseAsRoot(): AstNode;
  parseAggregate(): AstNode | null;
}

interface Lexer {
  lex(src: string, opts?: unknown): unknown;
  TOKEN_LEFT_PAREN: string;
  TOKEN_RIGHT_PAREN: string;
  TOKEN_COMMA: string;
  TOKEN_LEFT_BRACKET: string;
  TOKEN_RIGHT_BRACKET: string;
  TOKEN_COLON: string;
  TOKEN_OPERATOR: string;
  TOKEN_SYMBOL: string;
}

const { nodes } = internals;
const lexer = (internals as unknown as { lexer: Lexer }).lexer;
const BaseParser = (internals.parser as unknown as { Parser: new (tokens: unknown) => RawParser }).Parser;

function literal(at: Token, value: unknown): AstNode {
  return new nodes.Literal(at.lineno, at.colno, value);
}

/** `[` ... `]` after a value: an index, or a slice (with a colon). The `[` is consumed here. */
function parseSubscript(p: RawParser, target: AstNode): AstNode {
  const open = p.nextToken();
  const at = (type: string) => p.peekToken().type === type;
  let start: AstNode | null = null;
  if (!at(lexer.TOKEN_COLON)) start = p.parseExpression();
  if (!p.skip(lexer.TOKEN_COLON)) {
    p.expect(lexer.TOKEN_RIGHT_BRACKET);
    if (start === null) p.fail('expected an index', open.lineno, open.colno);
    return new nodes.LookupVal(open.lineno, open.colno, target, start);
  }
  let stop: AstNode | null = null;
  let step: AstNode | null = null;
  if (!at(lexer.TOKEN_COLON) && !at(lexer.TOKEN_RIGHT_BRACKET)) stop = p.parseExpression();
  if (p.skip(lexer.TOKEN_COLON) && !at(lexer.TOKEN_RIGHT_BRACKET)) step = p.parseExpression();
  p.expect(lexer.TOKEN_RIGHT_BRACKET);
  const args = [target, start ?? literal(open, null), stop ?? literal(open, null), step ?? literal(open, null)];
  return new nodes.Filter(open.lineno, open.colno, new nodes.Symbol(open.lineno, open.colno, SLICE_FILTER), new nodes.NodeList(open.lineno, open.colno, args));
}

/** `(a)` is a group; `()`, `(a,)`, `(a, b)` are tuples (a list marked TUPLE_MARK). The `(` is consumed here. */
function parseParenthesised(p: RawParser): AstNode {
  const open = p.nextToken();
  const items: AstNode[] = [];
  let tuple = false;
  while (!p.skip(lexer.TOKEN_RIGHT_PAREN)) {
    items.push(p.parseExpression());
    if (p.skip(lexer.TOKEN_COMMA)) {
      tuple = true;
      continue;
    }
    p.expect(lexer.TOKEN_RIGHT_PAREN);
    break;
  }
  if (!tuple && items.length === 1) return new nodes.Group(open.lineno, open.colno, items);
  const node = new nodes.Array(open.lineno, open.colno, items);
  node[TUPLE_MARK] = true;
  return node;
}

function makeParser(tokens: unknown, methods: ReadonlySet<string>): RawParser {
  const parser = new BaseParser(tokens) as RawParser & { parsePostfix(node: AstNode): AstNode; parseFilterArgs(node: AstNode): AstNode[] };
  // `x | f(a)`: the arguments only (nunjucks parses them as a postfix call on x, which would read x.f(a) as a method).
  parser.parseFilterArgs = () => (parser.peekToken().type === lexer.TOKEN_LEFT_PAREN ? (parser.parseSignature().children as AstNode[]) : []);
  const parseAggregate = parser.parseAggregate.bind(parser);
  parser.parseAggregate = () => (parser.peekToken().type === lexer.TOKEN_LEFT_PAREN ? parseParenthesised(parser) : parseAggregate());
  // nunjucks' parsePostfix, with slices and method calls.
  parser.parsePostfix = (node: AstNode): AstNode => {
    for (let tok = parser.peekToken(); tok; tok = parser.peekToken()) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        const args = parser.parseSignature();
        node = methodCall(node, args, methods) ?? new nodes.FunCall(tok.lineno, tok.colno, node, args);
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        node = parseSubscript(parser, node);
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
        parser.nextToken();
        const name = parser.nextToken();
        // nunjucks lexes none/true/false (any case it knows) as literals, even after a dot.
        if (name.type !== lexer.TOKEN_SYMBOL && !/^[A-Za-z_]\w*$/.test(String(name.value))) {
          parser.fail(`expected name as lookup value, got ${name.value}`, name.lineno, name.colno);
        }
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, literal(name, String(name.value)));
      } else {
        break;
      }
    }
    return node;
  };
  return parser;
}

/** `x.name(args)` as the method filter, when `name` is a method; else undefined. */
function methodCall(callee: AstNode, args: AstNode, methods: ReadonlySet<string>): AstNode | undefined {
  if (callee.typename !== 'LookupVal') return undefined;
  const key = callee.val as AstNode;
  if (key.typename !== 'Literal' || typeof key.value !== 'string' || !methods.has(key.value)) return undefined;
  const filterArgs = new nodes.NodeList(callee.lineno, callee.colno, [callee.target as AstNode, ...(args.children as AstNode[])]);
  return new nodes.Filter(callee.lineno, callee.colno, new nodes.Symbol(callee.lineno, callee.colno, methodFilter(key.value)), filterArgs);
}

/**
 * Parses a template with Python's subscripts, tuples and the given methods (see the top of this
 * file). The result is an ordinary nunjucks syntax tree: check it with the sandbox as any other.
 * @example parsePython('{{ s.split(".")[1:] }}', new Set(['split']))
 */
export function parsePython(source: string, methods: ReadonlySet<string>, opts?: unknown): AstNode {
  return makeParser(lexer.lex(source, opts), methods).parseAsRoot();
}
