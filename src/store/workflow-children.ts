import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionStatus } from '../model/status.ts';
import { EXECUTIONS_BY_PARENT_INDEX, keyFor } from './keys.ts';

/** What a workflow engine reads of one child execution: enough to cancel it or to collect its result. */
export interface ChildSummary {
  id: string;
  status: ExecutionStatus;
  runner?: string;
  taskId?: string;
  itemIndex?: number;
  result?: unknown;
}

export interface WorkflowChildrenOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * The idempotency key a workflow creates a task's child execution under: carrying out the same
 * schedule command twice creates one child, and the child's id is found again from the key alone
 * (no per-child map on the workflow's item, which 10,000 with-items children would overflow).
 * @example childKey('01J...', 'fan', 7) // 'workflow:01J.../fan/7'
 */
export function childKey(workflowId: string, taskId: string, itemIndex?: number): string {
  return `workflow:${workflowId}/${taskId}/${itemIndex ?? ''}`;
}

/** A workflow's children in the executions table: through their idempotency markers (consistent) or the byParent index (may lag a moment). */
export class WorkflowChildren {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: WorkflowChildrenOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
  }

  /** Id of the child created under `childKey(...)`, read consistently; undefined when none was created. */
  async idOf(key: string): Promise<string | undefined> {
    const { Item } = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: keyFor.idempotency(key), ConsistentRead: true }));
    return Item ? String(Item.executionId) : undefined;
  }

  /** Every child of `workflowId` (of task run `taskId` only, when given), oldest first, page by page; `results` adds each one's result. */
  async *list(workflowId: string, options: { taskId?: string; results?: boolean } = {}): AsyncGenerator<ChildSummary> {
    const names: Record<string, string> = { '#parent': 'parent', '#id': 'id', '#status': 'status', '#context': 'context', '#runner': 'runner' };
    const values: Record<string, unknown> = { ':parent': workflowId };
    if (options.results) names['#result'] = 'result';
    if (options.taskId !== undefined) {
      names['#taskId'] = 'taskId';
      values[':taskId'] = options.taskId;
    }
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: EXECUTIONS_BY_PARENT_INDEX,
          KeyConditionExpression: '#parent = :parent',
          FilterExpression: options.taskId !== undefined ? '#context.#taskId = :taskId' : undefined,
          ProjectionExpression: ['#id', '#status', '#runner', '#context', ...(options.results ? ['#result'] : [])].join(', '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const context = (item.context ?? {}) as { taskId?: unknown; itemIndex?: unknown };
        yield {
          id: String(item.id),
          status: item.status as ExecutionStatus,
          ...(typeof item.runner === 'string' ? { runner: item.runner } : {}),
          ...(context.taskId !== undefined ? { taskId: String(context.taskId) } : {}),
          ...(typeof context.itemIndex === 'number' ? { itemIndex: context.itemIndex } : {}),
          ...('result' in item ? { result: item.result } : {}),
        };
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
