import { pathToFileURL } from 'node:url';
import type { Logger } from '../log/index.ts';
import type { SqsHandler } from './event-source-mapping.ts';
import type { FunctionSettings } from './function-settings.ts';

/** Loads the handler of one fresh container (a cold start). */
export type ContainerLoader = (container: number) => Promise<SqsHandler>;

interface Container {
  id: number;
  handler: SqsHandler;
}

// Containers load one at a time: each import reads the function's own variables from process.env.
let envLock: Promise<unknown> = Promise.resolve();

/**
 * Imports the real function module (`functions/actions.ts`) as a new module instance, so that its
 * cold-start code (`createRuntime()` from `process.env`) runs once per container, exactly as in Lambda.
 * `environment` (the function's own variables) is set in `process.env` while the module loads, then restored.
 */
export function importFunction(settings: FunctionSettings, environment: Record<string, string> = settings.environment): ContainerLoader {
  return (container) => {
    const load = envLock.then(async () => {
      const saved = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
      Object.assign(process.env, environment);
      try {
        const url = `${pathToFileURL(settings.handlerModule).href}?container=${container}`;
        const module = (await import(url)) as Record<string, unknown>;
        const handler = module[settings.handlerExport];
        if (typeof handler !== 'function') throw new Error(`missing handler: ${settings.handlerModule} - exports no function "${settings.handlerExport}"`);
        return handler as SqsHandler;
      } finally {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
    });
    envLock = load.catch(() => undefined);
    return load;
  };
}

/**
 * The warm containers of one function: an invocation takes an idle one or cold-starts a new one.
 * The event source mapping caps invocations, so there are never more containers than its cap.
 */
export class FunctionPool {
  readonly #idle: Container[] = [];
  readonly #load: ContainerLoader;
  readonly #log: Logger;
  readonly #name: string;
  #created = 0;

  constructor(name: string, load: ContainerLoader, log: Logger) {
    this.#name = name;
    this.#load = load;
    this.#log = log;
  }

  /** Containers started so far. */
  get containers(): number {
    return this.#created;
  }

  /** The handler the event source mapping invokes. */
  readonly handler: SqsHandler = async (event, context) => {
    const container = this.#idle.pop() ?? (await this.#coldStart());
    try {
      return await container.handler(event, context);
    } finally {
      this.#idle.push(container);
    }
  };

  async #coldStart(): Promise<Container> {
    const id = ++this.#created;
    const started = Date.now();
    const handler = await this.#load(id);
    this.#log.info('cold start', { functionName: this.#name, container: id, durationMs: Date.now() - started });
    return { id, handler };
  }
}
