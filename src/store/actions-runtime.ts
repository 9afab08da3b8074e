import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Interpreters } from '../runners/interpreters.ts';
import { keyFor } from './keys.ts';

/** What an actions container reports about where it runs, so the CLI can tell which runners work there. */
export interface ActionsRuntimeReport {
  /** Interpreter -> path, or null when missing (python3 on Lambda's nodejs22.x zip). */
  interpreters: Interpreters;
  /** When the container started (epoch ms). */
  reportedAt: number;
}

/**
 * The executions table's `runtime#actions` item: written by each actions container at its cold start
 * (one PutItem), read by the CLI so that `action list` on a deployed stage shows what cannot run there.
 * @example await new ActionsRuntimeRecord({ doc, tableName }).report(findInterpreters())
 */
export class ActionsRuntimeRecord {
  constructor(private readonly options: { doc: DynamoDBDocumentClient; tableName: string }) {}

  async report(interpreters: Interpreters, now = Date.now()): Promise<void> {
    const item = { ...keyFor.actionsRuntime(), interpreters: { ...interpreters }, reportedAt: now };
    await this.options.doc.send(new PutCommand({ TableName: this.options.tableName, Item: item }));
  }

  /** The last report, or `undefined` when no actions container has started yet. */
  async read(): Promise<ActionsRuntimeReport | undefined> {
    const { Item } = await this.options.doc.send(new GetCommand({ TableName: this.options.tableName, Key: keyFor.actionsRuntime() }));
    if (!Item || typeof Item.interpreters !== 'object' || Item.interpreters === null) return undefined;
    return { interpreters: Item.interpreters as Interpreters, reportedAt: Number(Item.reportedAt) };
  }
}
