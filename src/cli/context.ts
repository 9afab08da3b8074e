import type { Execution } from '../model/execution.ts';
import { EXIT, UsageError } from './errors.ts';
import { colorsFor, executionDocument, renderExecution, type Colors } from './format.ts';
import { resolveTarget, type Target } from './target.ts';

/** What every command uses: the target (resolved on first use), output helpers, the exit status. */
export class CliContext {
  exitCode: number = EXIT.ok;
  stage: string | undefined;
  readonly colors: Colors = colorsFor(process.stdout);
  #target: Target | undefined;

  target(): Target {
    this.#target ??= resolveTarget({ stage: this.stage });
    return this.#target;
  }

  close(): void {
    this.#target?.close();
  }

  print(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  /** Exactly one JSON document on stdout. */
  printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  printExecution(execution: Execution, json: boolean): void {
    if (json) this.printJson(executionDocument(execution));
    else this.print(renderExecution(execution, this.colors));
  }

  /** 0 when it succeeded, 1 when it failed, timed out, was canceled or abandoned (or has not ended). */
  exitFor(execution: Execution): void {
    this.exitCode = execution.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  }

  /** `last` is the newest top-level execution (no parent: what tops `execution list`); anything else is an id. */
  async executionId(idOrLast: string): Promise<string> {
    if (idOrLast !== 'last') return idOrLast;
    const [newest] = await this.target().runtime.store.list({ limit: 1, topLevel: true });
    if (!newest) throw new UsageError('no executions yet: "last" names the newest top-level execution - run one first');
    return newest.id;
  }
}
