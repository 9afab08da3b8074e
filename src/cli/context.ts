import type { Execution } from '../model/execution.ts';
import { EXIT, UsageError } from './errors.ts';
import { colorsFor, executionDocument, type Colors } from './format.ts';
import type { Services } from '../app/services.ts';
import type { Target } from './target.ts';
import type { ApiClient } from '../api/client.ts';

/** What every command uses: the target (resolved on first use), output helpers, the exit status. */
export class CliContext {
  exitCode: number = EXIT.ok;
  stage: string | undefined;
  /** `--api URL`. */
  apiUrl: string | undefined;
  readonly colors: Colors = colorsFor(process.stdout);
  #target: Promise<Target> | undefined;
  #resolved: Target | undefined;
  #api: Promise<ApiClient | undefined> | undefined;

  /**
   * The system the command talks to, resolved on first use. Loaded on demand: the AWS SDK and the
   * config behind it cost a third of a second, which `--help` and `--version` never pay.
   */
  target(): Promise<Target> {
    this.#target ??= import('./target.ts').then(({ resolveTarget }) => (this.#resolved = resolveTarget({ stage: this.stage })));
    return this.#target;
  }

  /** The HTTP API, when the command goes through it (`--api`, or ACTIONRUNNER_API_URL with ACTIONRUNNER_API_KEY). */
  async api(): Promise<ApiClient | undefined> {
    this.#api ??= import('./via-api.ts').then(({ apiClientFor }) => apiClientFor(this.apiUrl));
    return this.#api;
  }

  /** The request service and the pack catalog (loaded on first use; see Target.services). */
  async services(): Promise<Services> {
    return (await this.target()).services();
  }

  close(): void {
    this.#resolved?.close();
  }

  print(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  /** Exactly one JSON document on stdout. */
  printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  async printExecution(execution: Execution, json: boolean): Promise<void> {
    if (json) return this.printJson(executionDocument(execution));
    const { renderExecution } = await import('./render-execution.ts');
    this.print(renderExecution(execution, this.colors));
  }

  /** 0 when it succeeded, 1 when it failed, timed out, was canceled or abandoned (or has not ended). */
  exitFor(execution: Execution): void {
    this.exitCode = execution.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  }

  /** `last` is the newest top-level execution (no parent: what tops `execution list`); anything else is an id. */
  async executionId(idOrLast: string): Promise<string> {
    if (idOrLast !== 'last') return idOrLast;
    const api = await this.api();
    if (api) {
      const [newest] = (await api.listExecutions({ limit: 1, top_level: true })).executions;
      if (!newest) throw new UsageError('no executions yet: "last" names the newest top-level execution - run one first');
      return newest.id as string;
    }
    const [newest] = await (await this.target()).runtime.store.list({ limit: 1, topLevel: true });
    if (!newest) throw new UsageError('no executions yet: "last" names the newest top-level execution - run one first');
    return newest.id;
  }
}
