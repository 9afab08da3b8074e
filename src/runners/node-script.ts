import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runProcess } from '../process/run-process.ts';
import { actionParameters, entryPoint, outputFilters, processOptions } from './common.ts';
import { NODE_WRAPPER_SOURCE } from './node-wrapper.ts';
import { parseResultBlock, ResultBlockFilter } from './result-block.ts';
import { scriptOutcome } from './script-result.ts';
import type { RunOutcome, RunRequest, Runner } from './types.ts';

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** Options of the node-script runner. */
export interface NodeScriptRunnerOptions {
  /** Node binary for the child. @default process.execPath */
  nodeBinary?: string;
  /** Node version of `nodeBinary` ("22.18.0"), to decide how TypeScript is loaded. @default process.versions.node */
  nodeVersion?: string;
  /** Module URL of a TypeScript loader for `--import`; null for none. @default tsx when resolvable */
  tsLoader?: string | null;
}

/** Node >= 22.18 (and >= 23.6) strips TypeScript types without flags. */
export function nativeTypeStripping(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

/** The tsx loader's URL when the package is installed next to this code; undefined otherwise (bundles). */
export function resolveTsxLoader(): string | undefined {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return undefined;
  }
}

/**
 * `node-script` (new, st2 has none): imports the entry point (`.js`, `.mjs`, `.cjs`, or TypeScript) in a
 * child node and awaits `export async function run(params, context)` with context
 * `{ executionId, action, pack, config }` (config: the pack's config). Result: `{ result, stdout, stderr, exit_code }` (+ `error`).
 */
export class NodeScriptRunner implements Runner {
  readonly name = 'node-script';
  private readonly nodeBinary: string;
  private readonly nodeVersion: string;
  private readonly tsLoader: string | null | undefined;

  constructor(options: NodeScriptRunnerOptions = {}) {
    this.nodeBinary = options.nodeBinary ?? process.execPath;
    this.nodeVersion = options.nodeVersion ?? process.versions.node;
    this.tsLoader = options.tsLoader;
  }

  /** Extra node flags to load `file`, or an error text when TypeScript cannot be loaded. */
  private loaderFlags(file: string): string[] | string {
    if (!TYPESCRIPT_EXTENSIONS.has(extname(file))) return [];
    if (nativeTypeStripping(this.nodeVersion)) return [];
    const loader = this.tsLoader === undefined ? resolveTsxLoader() : this.tsLoader;
    if (loader) return ['--import', loader];
    return `cannot load TypeScript: ${file} - node ${this.nodeVersion} has no type stripping (needs >= 22.18) and tsx is not installed; ship .js or .mjs`;
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const { action, parameters } = request;
    const found = await entryPoint(action, this.name);
    if ('error' in found) return refused(found.error);
    const entry = found.file;
    const flags = this.loaderFlags(entry);
    if (typeof flags === 'string') return refused(flags);
    const filter = new ResultBlockFilter();
    const result = await runProcess({
      file: this.nodeBinary,
      args: [...flags, '--input-type=module', '--eval', NODE_WRAPPER_SOURCE],
      ...processOptions(request),
      stdin: JSON.stringify({
        entryPoint: entry,
        parameters: actionParameters(parameters, 'node-script'),
        context: { executionId: request.executionId, action: action.ref, pack: action.pack, config: request.packConfig ?? {} },
      }),
      ...outputFilters(request, filter),
    });
    return scriptOutcome(result, parseResultBlock(filter.resultText), request.timeoutMs, filter.overflow);
  }
}

function refused(error: string): RunOutcome {
  return { status: 'failed', result: { result: null, stdout: '', stderr: '', exit_code: null, error } };
}
