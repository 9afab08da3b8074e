/**
 * YAQL lexer and Pratt parser, for the language as yaql 1.x defines it (yaql/language/lexer.py,
 * factory.py). Operator precedence, tightest first:
 *
 *   .  ?.            member access / method call (left)
 *   [] (indexer)     x[i], x[key, default]
 *   unary + -
 *   =~ !~            regex match
 *   * / mod
 *   + -
 *   > < >= <= != = == in   (one level, left associative; `==` is our alias of `=`)
 *   not              (prefix)
 *   and
 *   or
 *   ->               (right) `let(a => 1) -> $a`: the right side sees the left side's variables
 *   =>               name => value, only in call arguments, indexers and dict literals
 *
 * `f(a,, b)` leaves an argument out (its default is used); any value can be called,
 * `$f(x)` or `lambda($)(x)`, but only yaql lambdas are callable.
 * A bare identifier is a string ("keyword string"): `ctx(x)` is `ctx('x')`, `$.name` reads key
 * `name`. `true`, `false`, `null` are the literals. `$` is the current data, `$name` a variable.
 */
import { SyntaxFault } from '../faults.ts';

export type Node =
  | { type: 'literal'; value: unknown; pos: number; float?: boolean }
  | { type: 'keyword'; name: string; pos: number }
  | { type: 'dollar'; name: string; pos: number }
  | { type: 'list'; items: Node[]; pos: number }
  | { type: 'dict'; entries: Array<[Node, Node]>; pos: number }
  | { type: 'call'; name: string; args: Arg[]; pos: number }
  | { type: 'method'; receiver: Node; name: string; args: Arg[]; nullSafe: boolean; pos: number }
  | { type: 'attr'; receiver: Node; name: string; nullSafe: boolean; pos: number }
  | { type: 'dotExpr'; receiver: Node; expr: Node; nullSafe: boolean; pos: number }
  | { type: 'index'; receiver: Node; args: Arg[]; pos: number }
  | { type: 'apply'; callee: Node; args: Arg[]; pos: number }
  | { type: 'unary'; op: string; operand: Node; pos: number }
  | { type: 'binary'; op: string; left: Node; right: Node; pos: number };

/** A call argument: positional, `key => value` (key is usually a bare identifier), or left out (`f(a,, b)`). */
export interface Arg {
  key?: Node;
  value: Node;
  omitted?: boolean;
}

type TokenKind = 'num' | 'str' | 'ident' | 'dollar' | 'op' | 'eof';
interface Token {
  kind: TokenKind;
  value: string | number;
  pos: number;
  /** For identifiers: immediately followed by `(` (a function call in yaql). */
  call?: boolean;
  /** For numbers: written with a decimal point (a Python float, e.g. `2.0`). */
  float?: boolean;
}

const OPERATORS = ['->', '=>', '?.', '==', '!=', '>=', '<=', '=~', '!~', '.', '[', ']', '{', '}', '(', ')', ',', '+', '-', '*', '/', '>', '<', '='];
const WORD_OPERATORS = new Set(['and', 'or', 'not', 'in', 'mod']);

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function decodeEscapes(raw: string, quote: string, pos: number): string {
  if (quote === '`') return raw.replace(/\\`/g, '`');
  return raw.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (whole, esc: string) => {
    if (esc.length > 1 && (esc[0] === 'u' || esc[0] === 'x')) return String.fromCharCode(parseInt(esc.slice(1), 16));
    if (/^[0-7]+$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
    const mapped = ESCAPES[esc];
    if (mapped !== undefined) return mapped;
    if (esc === 'u' || esc === 'x') throw new SyntaxFault('YaqlLexicalException', `Lexical error: truncated escape "${whole}" at position ${pos}`, pos);
    return whole; // Python keeps unknown escapes as they are
  });
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (/\d/.test(ch)) {
      const m = /^\d+(\.\d+)?/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'num', value: Number(m[0]), pos: start, float: m[1] !== undefined });
      i += m[0].length;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new SyntaxFault('YaqlLexicalException', `Lexical error: unterminated string starting at position ${start}`, start);
      tokens.push({ kind: 'str', value: decodeEscapes(text.slice(i + 1, j), ch, start), pos: start });
      i = j + 1;
      continue;
    }
    if (ch === '$') {
      const m = /^\$\w*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'dollar', value: m[0].slice(1), pos: start });
      i += m[0].length;
      continue;
    }
    if (/[\p{L}_]/u.test(ch)) {
      const m = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(text.slice(i)) as RegExpExecArray;
      const word = m[0];
      // yaql's lexer has no token for a name that starts with `__` (`$.__d` is a lexical error).
      if (word.startsWith('__')) throw new SyntaxFault('YaqlLexicalException', `Lexical error: illegal name '${word}' at position ${start}`, start);
      i += word.length;
      if (WORD_OPERATORS.has(word)) tokens.push({ kind: 'op', value: word, pos: start });
      else tokens.push({ kind: 'ident', value: word, pos: start, call: text[i] === '(' });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new SyntaxFault('YaqlLexicalException', `Lexical error: illegal character '${ch}' at position ${start}`, start);
    tokens.push({ kind: 'op', value: op, pos: start });
    i += op.length;
  }
  tokens.push({ kind: 'eof', value: '', pos: text.length });
  return tokens;
}

const BINARY: Record<string, number> = {
  '->': 5,
  or: 10,
  and: 20,
  '>': 40,
  '<': 40,
  '>=': 40,
  '<=': 40,
  '!=': 40,
  '=': 40,
  '==': 40,
  in: 40,
  '+': 50,
  '-': 50,
  '*': 60,
  '/': 60,
  mod: 60,
  '=~': 70,
  '!~': 70,
};
const NOT_BP = 30;
const UNARY_BP = 80;
const INDEX_BP = 90;
const DOT_BP = 100;

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    return this.tokens[this.i++] as Token;
  }

  private isOp(value: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === value;
  }

  private unexpected(t: Token): SyntaxFault {
    if (t.kind === 'eof') return new SyntaxFault('YaqlGrammarException', 'Parse error: unexpected end of statement', t.pos);
    const shown = t.kind === 'str' ? JSON.stringify(t.value) : String(t.value || '$');
    return new SyntaxFault('YaqlGrammarException', `Parse error: unexpected '${shown}' at position ${t.pos}`, t.pos);
  }

  private expect(value: string): Token {
    const t = this.next();
    if (t.kind !== 'op' || t.value !== value) throw this.unexpected(t);
    return t;
  }

  parseStatement(): Node {
    if (this.peek().kind === 'eof') throw new SyntaxFault('YaqlGrammarException', 'Parse error: empty expression', 0);
    const node = this.parseExpr(0);
    const t = this.peek();
    if (t.kind !== 'eof') throw this.unexpected(t);
    return node;
  }

  parseExpr(minBp: number): Node {
    let left = this.parsePrefix();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') {
        if (t.kind === 'eof') break;
        throw this.unexpected(t);
      }
      const op = t.value as string;
      if ((op === '.' || op === '?.') && DOT_BP > minBp) {
        this.next();
        left = this.parseMember(left, op === '?.', t.pos);
        continue;
      }
      if (op === '[' && INDEX_BP > minBp) {
        this.next();
        const args = this.parseArgs(']');
        if (args.length === 0 || args[0]?.omitted || args[0]?.key) throw this.unexpected(this.tokens[this.i - 1] as Token);
        left = { type: 'index', receiver: left, args, pos: t.pos };
        continue;
      }
      if (op === '(' && DOT_BP > minBp) {
        this.next();
        left = { type: 'apply', callee: left, args: this.parseArgs(')'), pos: t.pos };
        continue;
      }
      const bp = BINARY[op];
      if (bp === undefined || bp <= minBp) break;
      this.next();
      // `->` is right associative: `a -> b -> c` is `a -> (b -> c)`.
      const right = this.parseExpr(op === '->' ? bp - 1 : bp);
      left = { type: 'binary', op: op === '==' ? '=' : op, left, right, pos: t.pos };
    }
    return left;
  }

  private parseMember(receiver: Node, nullSafe: boolean, pos: number): Node {
    const t = this.peek();
    if (t.kind === 'ident') {
      this.next();
      if (this.isOp('(')) {
        this.next();
        return { type: 'method', receiver, name: t.value as string, args: this.parseArgs(')'), nullSafe, pos: t.pos };
      }
      return { type: 'attr', receiver, name: t.value as string, nullSafe, pos: t.pos };
    }
    // receiver.(expr), receiver.$, receiver.[...]: expr evaluated with $ = receiver
    const expr = this.parseExpr(DOT_BP);
    return { type: 'dotExpr', receiver, expr, nullSafe, pos };
  }

  /** Comma separated expressions up to `close` (consumed). */
  private parseList(close: string): Node[] {
    const items: Node[] = [];
    if (this.isOp(close)) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.parseExpr(0));
      const t = this.next();
      if (t.kind === 'op' && t.value === close) return items;
      if (t.kind !== 'op' || t.value !== ',') throw this.unexpected(t);
    }
  }

  /**
   * Arguments up to `close` (consumed): positional ones, then `name => value` ones; a positional
   * one can be left out (`f(a,, b)`, `f(, b)`, `f(a,)`), a keyword one cannot.
   */
  private parseArgs(close: string): Arg[] {
    const args: Arg[] = [];
    if (this.isOp(close)) {
      this.next();
      return args;
    }
    for (;;) {
      const start = this.peek();
      if (start.kind === 'op' && (start.value === ',' || start.value === close)) {
        // `f(a,, b)` and `f(, b)` leave one out; `f(a,)` is a trailing comma, an error as in yaql.
        if (start.value === close || args.some((a) => a.key)) throw this.unexpected(start);
        args.push({ value: { type: 'literal', value: null, pos: start.pos }, omitted: true });
      } else {
        const value = this.parseExpr(0);
        if (this.isOp('=>')) {
          this.next();
          args.push({ key: value, value: this.parseExpr(0) });
        } else if (args.some((a) => a.key)) throw this.unexpected(start);
        else args.push({ value });
      }
      const t = this.next();
      if (t.kind === 'op' && t.value === close) return args;
      if (t.kind !== 'op' || t.value !== ',') throw this.unexpected(t);
    }
  }

  private parsePrefix(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { type: 'literal', value: t.value, pos: t.pos, float: t.float };
      case 'str':
        return { type: 'literal', value: t.value, pos: t.pos };
      case 'dollar':
        return { type: 'dollar', name: t.value as string, pos: t.pos };
      case 'ident': {
        const name = t.value as string;
        if (this.isOp('(')) {
          this.next();
          return { type: 'call', name, args: this.parseArgs(')'), pos: t.pos };
        }
        if (name === 'true') return { type: 'literal', value: true, pos: t.pos };
        if (name === 'false') return { type: 'literal', value: false, pos: t.pos };
        if (name === 'null') return { type: 'literal', value: null, pos: t.pos };
        return { type: 'keyword', name, pos: t.pos };
      }
      case 'op':
        break;
      default:
        throw this.unexpected(t);
    }
    switch (t.value) {
      case '(': {
        const inner = this.parseExpr(0);
        this.expect(')');
        return inner;
      }
      case '[':
        return { type: 'list', items: this.parseList(']'), pos: t.pos };
      case '{': {
        const entries: Array<[Node, Node]> = [];
        if (this.isOp('}')) {
          this.next();
          return { type: 'dict', entries, pos: t.pos };
        }
        for (;;) {
          const key = this.parseExpr(0);
          this.expect('=>');
          entries.push([key, this.parseExpr(0)]);
          const sep = this.next();
          if (sep.kind === 'op' && sep.value === '}') return { type: 'dict', entries, pos: t.pos };
          if (sep.kind !== 'op' || sep.value !== ',') throw this.unexpected(sep);
        }
      }
      case '-':
      case '+':
        return { type: 'unary', op: t.value, operand: this.parseExpr(UNARY_BP), pos: t.pos };
      case 'not':
        return { type: 'unary', op: 'not', operand: this.parseExpr(NOT_BP), pos: t.pos };
      default:
        throw this.unexpected(t);
    }
  }
}

const cache = new Map<string, Node>();

/** Parses one YAQL expression (without delimiters). Throws SyntaxFault. */
export function parseYaql(text: string): Node {
  const cached = cache.get(text);
  if (cached) return cached;
  const node = new Parser(tokenize(text)).parseStatement();
  if (cache.size > 1000) cache.clear();
  cache.set(text, node);
  return node;
}
