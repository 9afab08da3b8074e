import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/**
 * An st2 action chain file (`runner_type: action-chain`, the entry point): `chain` (nodes),
 * optional `vars` and `default`. Node keys as st2 (`st2common/models/system/actionchain.py`):
 * name, ref, parameters (or the older `params`), on-success, on-failure, publish; `notify` and
 * `description` are accepted and ignored (no notifications here).
 */

/** One node of a chain. */
export interface ChainNode {
  name: string;
  ref: string;
  parameters: Record<string, unknown>;
  onSuccess?: string;
  onFailure?: string;
  publish?: Record<string, unknown>;
}

/** A parsed, checked chain. */
export interface ChainSpec {
  nodes: ChainNode[];
  vars: Record<string, unknown>;
  /** The node the chain starts with: `default`, else the first node no other node names (st2's rule). */
  start: string;
}

/** The chain file is unreadable or does not describe a chain: the message names the file and what was expected. */
export class ChainSpecError extends Error {
  override name = 'ChainSpecError';
}

const NODE_KEYS = ['name', 'ref', 'parameters', 'params', 'on-success', 'on-failure', 'publish', 'notify', 'description'];
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const given = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

function parseNode(raw: unknown, index: number, file: string): ChainNode {
  const where = `${file} - chain[${index}]`;
  if (!isObject(raw)) throw new ChainSpecError(`invalid action chain: ${where} - expected a node (an object), got ${given(raw)}`);
  const unknown = Object.keys(raw).filter((key) => !NODE_KEYS.includes(key));
  if (unknown.length > 0) throw new ChainSpecError(`invalid action chain: ${where} - unknown key "${unknown[0]}" (expected ${NODE_KEYS.join(', ')})`);
  for (const key of ['name', 'ref']) {
    if (typeof raw[key] !== 'string' || raw[key] === '')
      throw new ChainSpecError(`invalid action chain: ${where}.${key} - expected a non-empty string, got ${given(raw[key])}`);
  }
  for (const key of ['on-success', 'on-failure']) {
    if (raw[key] !== undefined && raw[key] !== null && typeof raw[key] !== 'string') {
      throw new ChainSpecError(`invalid action chain: ${where}.${key} - expected a node name, got ${given(raw[key])}`);
    }
  }
  for (const key of ['parameters', 'params', 'publish']) {
    if (raw[key] !== undefined && raw[key] !== null && !isObject(raw[key])) {
      throw new ChainSpecError(`invalid action chain: ${where}.${key} - expected an object, got ${given(raw[key])}`);
    }
  }
  const parameters = raw.parameters as Record<string, unknown> | undefined;
  const params = raw.params as Record<string, unknown> | undefined;
  if (parameters && params && Object.keys(parameters).length > 0 && Object.keys(params).length > 0) {
    throw new ChainSpecError(`invalid action chain: ${where} - expected either "params" or "parameters", got both`);
  }
  return {
    name: raw.name as string,
    ref: raw.ref as string,
    parameters: parameters && Object.keys(parameters).length > 0 ? parameters : (params ?? {}),
    onSuccess: (raw['on-success'] as string | null | undefined) || undefined,
    onFailure: (raw['on-failure'] as string | null | undefined) || undefined,
    publish: (raw.publish as Record<string, unknown> | null | undefined) ?? undefined,
  };
}

/** st2's default node: the first node that no on-success/on-failure names, else the first node. */
function defaultNode(nodes: ChainNode[]): string {
  const referenced = new Set(nodes.flatMap((node) => [node.onSuccess, node.onFailure]));
  return (nodes.find((node) => !referenced.has(node.name)) ?? nodes[0]).name;
}

/**
 * Checks a chain document: node shapes, unique names, transitions and `default` naming nodes.
 * @example parseChain({ chain: [{ name: 'a', ref: 'core.noop' }] }, 'x.yaml').start // 'a'
 */
export function parseChain(document: unknown, file: string): ChainSpec {
  if (!isObject(document)) throw new ChainSpecError(`invalid action chain: ${file} - expected a mapping with "chain", got ${given(document)}`);
  const extra = Object.keys(document).filter((key) => !['chain', 'vars', 'default'].includes(key));
  if (extra.length > 0) throw new ChainSpecError(`invalid action chain: ${file} - unknown key "${extra[0]}" (expected chain, vars, default)`);
  if (!Array.isArray(document.chain) || document.chain.length === 0) {
    throw new ChainSpecError(`invalid action chain: ${file} - expected "chain" to be a non-empty list of nodes, got ${given(document.chain)}`);
  }
  const nodes = document.chain.map((raw, index) => parseNode(raw, index, file));
  const names = new Set<string>();
  for (const node of nodes) {
    if (names.has(node.name)) throw new ChainSpecError(`invalid action chain: ${file} - node name "${node.name}" is used twice`);
    names.add(node.name);
  }
  for (const node of nodes) {
    for (const [key, target] of [
      ['on-success', node.onSuccess],
      ['on-failure', node.onFailure],
    ] as const) {
      if (target !== undefined && !names.has(target)) {
        throw new ChainSpecError(`invalid action chain: ${file} - node "${node.name}" ${key} names "${target}", expected one of ${[...names].join(', ')}`);
      }
    }
  }
  if (document.vars !== undefined && document.vars !== null && !isObject(document.vars)) {
    throw new ChainSpecError(`invalid action chain: ${file} - expected "vars" to be an object, got ${given(document.vars)}`);
  }
  const start = document.default ?? defaultNode(nodes);
  if (typeof start !== 'string' || !names.has(start)) {
    throw new ChainSpecError(`invalid action chain: ${file} - "default" names ${given(start)}, expected one of ${[...names].join(', ')}`);
  }
  return { nodes, vars: (document.vars as Record<string, unknown> | undefined) ?? {}, start };
}

/** Reads and checks a chain file. */
export async function loadChain(file: string): Promise<ChainSpec> {
  let document: unknown;
  try {
    document = parse(await readFile(file, 'utf8'), { maxAliasCount: 100 });
  } catch (error) {
    throw new ChainSpecError(`invalid action chain: ${file} - cannot read it as YAML: ${(error as Error).message}`);
  }
  return parseChain(document, file);
}
