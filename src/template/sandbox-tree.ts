import { SandboxError } from './errors.ts';
import { internals, type AstNode } from './nunjucks-internals.ts';

/*
 * The syntax-tree half of the sandbox (sandbox.ts): what a template may hold, checked before
 * compiling, and the rewrite that puts functions in call position only.
 */

/** Syntax-tree nodes a template may hold. Everything else (Macro, Caller, Import, Include, Extends, Block, CallExtension, async nodes) is refused. */
const ALLOWED_NODES = new Set([
  'Root',
  'NodeList',
  'Output',
  'TemplateData',
  'Literal',
  'Symbol',
  'Group',
  'Array',
  'Dict',
  'Pair',
  'If',
  'InlineIf',
  'For',
  'Set',
  'Capture',
  'Switch',
  'Case',
  'FunCall',
  'Filter',
  'KeywordArgs',
  'LookupVal',
  'Is',
  'In',
  'Or',
  'And',
  'Not',
  'Add',
  'Concat',
  'Sub',
  'Mul',
  'Div',
  'FloorDiv',
  'Mod',
  'Pow',
  'Neg',
  'Pos',
  'Compare',
  'CompareOperand',
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
export function isBuiltinMember(name: string): boolean {
  return isUnsafeName(name) || DATA_PROTOTYPES.some((p) => name in p);
}

/**
 * A call `f(x)` is compiled as a lookup of this prefix + `f`: functions are reachable only in
 * call position, so a template never holds a function as a value (`{{ f ~ '' }}`, `[f]`).
 */
export const CALL_PREFIX = '__call_';

/** A syntax-tree node (fields hold nodes, lists of nodes, or plain values). */
function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).typename === 'string';
}

function checkName(name: unknown, role: string): void {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) throw new SandboxError(`${role} ${JSON.stringify(String(name))}`, 'expected an identifier');
  if (isUnsafeName(name)) throw new SandboxError(`"${name}"`, 'names a JavaScript built-in or an internal variable, not a template variable');
}

// An unknown filter or test fails when reached, with nunjucks' message ("filter not found: x").
function checkRegistered(name: unknown, kind: 'filter' | 'test', internal: ReadonlySet<string>): void {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name in Object.prototype || internal.has(name)) {
    throw new SandboxError(`${kind} "${String(name)}"`, `not a registered ${kind}`);
  }
}

/**
 * Throws SandboxError when the parsed template holds anything outside the sandbox: a tag other
 * than output, if, for, set (macro, call, import, include, extends, block, extension), a name
 * that is an Object.prototype member or `__*`, a callee that is not a name, a filter or test
 * that is internal or not an identifier, a `__proto__` dict key, a regex literal.
 * @example checkTree(internals.parser.parse('{{ "".constructor }}'), new Set()) // passes: caught at run time
 */
export function checkTree(node: AstNode, internal: ReadonlySet<string>): void {
  if (!ALLOWED_NODES.has(node.typename)) throw new SandboxError(`tag ${node.typename}`, 'not allowed (only output, if, for, set and expressions are)');
  switch (node.typename) {
    case 'Symbol':
      checkName(node.value, 'name');
      return;
    case 'Filter':
      checkRegistered((node.name as AstNode).value, 'filter', internal);
      checkTree(node.args as AstNode, internal);
      return;
    case 'Is': {
      const right = node.right as AstNode;
      const test = right.typename === 'FunCall' ? (right.name as AstNode) : right;
      // `is none`, `is true`, `is false`: nunjucks parses these test names as literals (and compiles getTest("null"), ...).
      const literalName = test.typename === 'Literal' && (test.value === null || typeof test.value === 'boolean');
      if (test.typename !== 'Symbol' && !literalName) throw new SandboxError('"is"', 'expected a test name');
      checkRegistered(literalName ? String(test.value) : test.value, 'test', internal);
      checkTree(node.left as AstNode, internal);
      if (right.typename === 'FunCall') checkTree(right.args as AstNode, internal);
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
      if ((node.name as AstNode).typename !== 'Symbol')
        throw new SandboxError('a call', 'only functions called by name (`f(x)`) are allowed, not methods or computed callees');
      break;
    case 'Pair': {
      const key = node.key as AstNode;
      if (key.typename === 'Literal' || key.typename === 'Symbol') {
        if (key.value === '__proto__') throw new SandboxError('key "__proto__"', 'not allowed in a dict');
        checkTree(node.value as AstNode, internal);
        return;
      }
      break;
    }
    case 'Literal':
      if (node.value !== null && !['string', 'number', 'boolean', 'undefined'].includes(typeof node.value))
        throw new SandboxError('a literal', 'expected a string, number or boolean');
      return;
  }
  for (const field of node.fields) {
    const value = node[field];
    for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) checkTree(child, internal);
  }
}

/** Renames every callee `f` to CALL_PREFIX + `f`, so that the runtime resolves functions in call position only. */
export function markCallees(node: AstNode): void {
  // `x is gt(2)`: the test's name is no function, only its arguments are walked.
  const right = node.right as AstNode | undefined;
  if (node.typename === 'Is' && right?.typename === 'FunCall') {
    markCallees(node.left as AstNode);
    markCallees(right.args as AstNode);
    return;
  }
  const callee = node.name as AstNode | undefined;
  // A node may be shared (pythonize reuses an operand of `and`/`or`): mark it once.
  if (node.typename === 'FunCall' && callee?.typename === 'Symbol' && !String(callee.value).startsWith(CALL_PREFIX)) {
    node.name = new internals.nodes.Symbol(callee.lineno, callee.colno, CALL_PREFIX + String(callee.value));
  }
  for (const field of node.fields) {
    const value = node[field];
    for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) markCallees(child);
  }
}
