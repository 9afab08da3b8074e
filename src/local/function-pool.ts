import { pathToFileURL } from 'node:url';
import type { Logger } from '../log/index.ts';
import type { SqsHandler } from './event-source-mapping.ts';
import type { FunctionSettings } from './function-settings.ts';

/** One loaded function module: its handler, and how to stop what its runtime runs (when it exports `runtime`). */
export interface LoadedFunction {
  handler: SqsHandler;
  abandonRunning?(reason: string): void;
}

/** Loads the handler of one fresh container (a cold start). */
export type ContainerLoader = (container: number) => Promise<LoadedFunction>;

interface Container extends LoadedFunction {
  id: number;
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
        const runtime = module.runtime as { abandonRunning?(reason: string): void } | undefined;
        return { handler: handler as SqsHandler, abandonRunning: runtime?.abandonRunning };
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
 * The warm containers of one function: an invocation takes an idle one, else waits for the first
 * container ready: a warm one freed meanwhile, or the next cold start. Here every container loads in
 * this one process, one after another (each takes the process's CPU, which the running actions need
 * too), where Lambda starts them side by side: so one cold start is under way at a time, and the next
 * begins only when it is ready and an invocation still waits for a container, never for one a freed warm
 * container served meanwhile. A cold start no waiting invocation needs any more joins the idle ones. The
 * event source mapping caps invocations: never more containers than its cap.
 */
export class FunctionPool {
  readonly #idle: Container[] = [];
  readonly #all: Container[] = [];
  /** Invocations waiting for a container, oldest first. */
  readonly #waiting: Array<{ resolve: (container: Container) => void; reject: (error: unknown) => void }> = [];
  readonly #load: ContainerLoader;
  readonly #log: Logger;
  readonly #name: string;
  #created = 0;
  /** A cold start is under way. */
  #starting = false;

  constructor(name: string, load: ContainerLoader, log: Logger) {
    this.#name = name;
    this.#load = load;
    this.#log = log;
  }

  /** Containers started so far. */
  get containers(): number {
    return this.#created;
  }

  /**
   * Cold-starts containers, one after another, until there are `count`, and leaves them idle (Lambda's
   * provisioned concurrency): the first batches of a backlog then run at once instead of waiting for cold
   * starts that take this one process's CPU from the actions already running. Called before the event
   * source mapping starts. A cold start that fails ends the warm-up (logged): the invocation that needs
   * that container reports the error, as without a warm-up.
   */
  async prewarm(count: number): Promise<void> {
    while (this.#created < count) {
      try {
        this.#giveBack(await this.#coldStart());
      } catch (error) {
        this.#log.warn('warm-up cold start failed: containers start with the first invocations instead', { functionName: this.#name, error });
        return;
      }
    }
  }

  /** Stops the actions running in every container, and any they start afterwards (recorded `abandoned` with `reason`). */
  abandonRunning(reason: string): void {
    for (const container of this.#all) container.abandonRunning?.(reason);
  }

  /** The handler the event source mapping invokes. */
  readonly handler: SqsHandler = async (event, context) => {
    const container = this.#idle.pop() ?? (await this.#nextReady());
    try {
      return await container.handler(event, context);
    } finally {
      this.#giveBack(container);
    }
  };

  /** The first container ready for this invocation: a warm one freed first, or the next cold start. */
  #nextReady(): Promise<Container> {
    return new Promise<Container>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#startNext();
    });
  }

  /** Cold-starts a container when none is starting and an invocation waits; again once it is ready, while one still waits. */
  #startNext(): void {
    if (this.#starting || this.#waiting.length === 0) return;
    this.#starting = true;
    this.#coldStart().then(
      (container) => {
        this.#starting = false;
        this.#giveBack(container);
        this.#startNext();
      },
      (error: unknown) => {
        this.#starting = false;
        // The oldest waiting invocation fails with it, as in Lambda; the others get a cold start of their own.
        const first = this.#waiting.shift();
        if (first) first.reject(error);
        else this.#log.error('cold start failed', { functionName: this.#name, error });
        this.#startNext();
      },
    );
  }

  /** A container is free: to the oldest waiting invocation, else idle. */
  #giveBack(container: Container): void {
    const next = this.#waiting.shift();
    if (next) next.resolve(container);
    else this.#idle.push(container);
  }

  async #coldStart(): Promise<Container> {
    const id = ++this.#created;
    const started = Date.now();
    const container = { id, ...(await this.#load(id)) };
    this.#all.push(container);
    this.#log.info('cold start', { functionName: this.#name, container: id, durationMs: Date.now() - started });
    return container;
  }
}
