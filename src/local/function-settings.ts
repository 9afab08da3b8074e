import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.ts';
import { readServerlessDocument, resolveValue, SERVERLESS_FILE } from '../resources/index.ts';

export type FunctionName = 'actions' | 'workflows';

/** One function of serverless.yml with its SQS event source, as the local runtime runs it. */
export interface FunctionSettings {
  name: FunctionName;
  /** Absolute path of the handler module (`functions/actions.ts`). */
  handlerModule: string;
  /** Name of the exported handler (`handler`). */
  handlerExport: string;
  timeoutSeconds: number;
  reservedConcurrency: number;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  /** The mapping's `maximumConcurrency` (unset: only reserved concurrency caps it). */
  maximumConcurrency?: number;
  /** The provider's and the function's `environment` (strings only; CloudFormation references are left out). */
  environment: Record<string, string>;
}

type Env = Record<string, string | undefined>;
type Props = Record<string, unknown>;

/**
 * The module of a handler (`functions/actions`) that matches the code running now: the TypeScript source
 * beside serverless.yml when the sources run (tsx, vitest), the built module when the build runs (`npm start`,
 * the `actionrunner` bin), so that a container never mixes built and transpiled code. The build keeps every
 * file two levels below its folder (`dist/chunks/*.mjs`, `dist/functions/*.mjs`), so the folder is found from here.
 * @example handlerModulePath('/app', 'functions/actions') // '/app/functions/actions.ts' from the sources
 */
export function handlerModulePath(root: string, modulePath: string, running: string = import.meta.url): string {
  if (!running.endsWith('.mjs')) return path.join(root, `${modulePath}.ts`);
  const buildDir = path.dirname(path.dirname(fileURLToPath(running)));
  return path.join(buildDir, `${modulePath}.mjs`);
}

/**
 * Containers of the actions function the local runtime loads before it is ready: as many as fill the actions
 * pool when each runs `parallelism` actions (60 / 10 = 6 by default), never more than its concurrency cap.
 * @example warmContainers({ actionsPoolSize: 60, parallelism: 10 }, settings.actions) // 6
 */
export function warmContainers(config: { actionsPoolSize: number; parallelism: number }, settings: FunctionSettings): number {
  return Math.min(concurrencyCap(settings), Math.ceil(config.actionsPoolSize / config.parallelism));
}

/** Concurrent invocations the mapping allows: min(reserved concurrency, maximumConcurrency). */
export function concurrencyCap(settings: FunctionSettings): number {
  return Math.min(settings.reservedConcurrency, settings.maximumConcurrency ?? Infinity);
}

function number(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`invalid serverless.yml value: ${what} - expected a number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Reads the two functions of serverless.yml for `stage` (params resolved): timeout, reserved concurrency and
 * the SQS event's batchSize / maximumBatchingWindow / maximumConcurrency. The environment overrides them the
 * way the deployed functions' environment would: `ACTIONRUNNER_BATCH_SIZE`, `ACTIONRUNNER_FUNCTION_TIMEOUT`
 * (both functions), and the local-only `ACTIONRUNNER_BATCHING_WINDOW` (seconds, both functions). The pool sizes
 * (`ACTIONRUNNER_ACTIONS_POOL_SIZE` ...) bound running actions, not containers: they leave these alone.
 * @example functionSettings('dev').actions.reservedConcurrency // 60
 */
export function functionSettings(stage: string, env: Env = process.env, file = SERVERLESS_FILE): Record<FunctionName, FunctionSettings> {
  const document = readServerlessDocument({ file });
  const functions = resolveValue(document.functions ?? {}, { document, stage }) as Record<string, Props>;
  const config = loadConfig(env);
  const root = path.dirname(file);
  const provider = resolveValue(document.provider ?? {}, { document, stage }) as Props;
  const providerEnvironment = strings(provider.environment);
  delete providerEnvironment.NODE_OPTIONS;
  const read = (name: FunctionName): FunctionSettings => {
    const fn = functions[name];
    if (!fn) throw new Error(`missing function: ${name} - serverless.yml defines no such function`);
    const sqs = ((fn.events ?? []) as Props[]).map((event) => event.sqs as Props | undefined).find(Boolean) ?? {};
    const [modulePath, handlerExport] = String(fn.handler).split(/\.(?=[^./]+$)/);
    const environment = { ...providerEnvironment, ...strings(fn.environment) };
    const settings: FunctionSettings = {
      name,
      handlerModule: handlerModulePath(root, modulePath),
      handlerExport: handlerExport ?? 'handler',
      timeoutSeconds: env.ACTIONRUNNER_FUNCTION_TIMEOUT ? config.functionTimeoutSeconds : number(fn.timeout ?? 6, `${name}.timeout`),
      reservedConcurrency: number(fn.reservedConcurrency ?? 1000, `${name}.reservedConcurrency`),
      batchSize: env.ACTIONRUNNER_BATCH_SIZE ? config.batchSize : number(sqs.batchSize ?? 10, `${name}.events.sqs.batchSize`),
      maximumBatchingWindowSeconds: env.ACTIONRUNNER_BATCHING_WINDOW
        ? batchingWindow(env.ACTIONRUNNER_BATCHING_WINDOW)
        : number(sqs.maximumBatchingWindow ?? 0, `${name}.events.sqs.maximumBatchingWindow`),
      ...(sqs.maximumConcurrency !== undefined ? { maximumConcurrency: number(sqs.maximumConcurrency, `${name}.events.sqs.maximumConcurrency`) } : {}),
      environment,
    };
    // The function's environment says what its code reads: keep it in line with the overrides.
    settings.environment.ACTIONRUNNER_FUNCTION_TIMEOUT = String(settings.timeoutSeconds);
    settings.environment.ACTIONRUNNER_BATCH_SIZE = String(settings.batchSize);
    return settings;
  };
  return { actions: read('actions'), workflows: read('workflows') };
}

// String and number values only: CloudFormation references (`!Ref ActionsQueue`) are filled in by the local runtime.
function strings(environment: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries((environment ?? {}) as Props)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([k, v]) => [k, String(v)]),
  );
}

function batchingWindow(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 300)
    throw new Error(`invalid configuration: ACTIONRUNNER_BATCHING_WINDOW - expected seconds between 0 and 300, got "${raw}"`);
  return value;
}
