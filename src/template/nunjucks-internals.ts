import nunjucks from 'nunjucks';

/**
 * The parts of nunjucks' parser, compiler and syntax tree that parameter rendering and workflow
 * Jinja walk and rewrite (untyped in @types/nunjucks). One place, so a nunjucks upgrade is checked once.
 */
export interface AstNode {
  typename: string;
  fields: string[];
  lineno: number;
  colno: number;
  value?: unknown;
  [field: string]: unknown;
}

export interface NunjucksInternals {
  parser: { parse(src: string, extensions?: unknown, opts?: unknown): AstNode };
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => { compile(ast: AstNode): void; getCode(): string } };
  nodes: Record<string, new (lineno: number, colno: number, ...fields: unknown[]) => AstNode>;
}

export const internals = nunjucks as unknown as NunjucksInternals;
