// Inquiries (st2's `core.ask`, the `inquirer` runner): an execution `pending` with its question as its result.
import { Ajv, type ErrorObject } from 'ajv';
import { isWorkflowRunner } from '../actions/runner-parameters.ts';
import { draft3Required } from '../actions/validate.ts';
import { DEFAULT_USER } from '../datastore/index.ts';
import { NotFoundError, ValidationError } from '../model/errors.ts';
import type { Execution } from '../model/execution.ts';
import { notifyParent } from '../queue/notify-parent.ts';
import type { WorkQueue } from '../queue/work-queue.ts';
import type { ExecutionStore } from '../store/executions.ts';
import { TransitionConflictError } from '../store/errors.ts';
import type { ExecutionService } from './service.ts';

/** What an inquiry asks, as st2's inquirer runner returns it (`result` of the pending execution). */
export interface Inquiry {
  id: string;
  schema: Record<string, unknown>;
  roles: unknown[];
  users: unknown[];
  route: string;
  /** Minutes it waits for a response. */
  ttl: number;
  /** Epoch ms when it times out. */
  expires_at?: number;
  /** The workflow execution it belongs to, if any. */
  parent?: string;
  status: Execution['status'];
  response?: Record<string, unknown>;
}

const ajv = new Ajv({ strict: false, allErrors: true });

/** The inquiry an execution holds (an `inquirer` execution that has asked). */
export function inquiryOf(execution: Execution): Inquiry {
  const result = (execution.result ?? {}) as Record<string, unknown>;
  return {
    id: execution.id,
    schema: (result.schema ?? {}) as Record<string, unknown>,
    roles: (result.roles ?? []) as unknown[],
    users: (result.users ?? []) as unknown[],
    route: String(result.route ?? ''),
    ttl: Number(result.ttl ?? 0),
    ...(execution.inquiry_expires_at !== undefined ? { expires_at: execution.inquiry_expires_at } : {}),
    ...(execution.context.parent ? { parent: execution.context.parent } : {}),
    status: execution.status,
    ...(result.response !== undefined ? { response: result.response as Record<string, unknown> } : {}),
  };
}

/** The question an inquiry asks, from the runner parameters of its action (st2's defaults filled in by the action's metadata). */
export function inquiryQuestion(values: Record<string, unknown>): { result: Record<string, unknown>; expiresAt: number } {
  const ttl = Number(values.ttl ?? 1440);
  return {
    result: { schema: values.schema, roles: values.roles ?? [], users: values.users ?? [], route: values.route ?? '', ttl },
    expiresAt: Date.now() + ttl * 60_000,
  };
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((error) => {
      const where = error.instancePath || '(response)';
      if (error.keyword === 'required') return `${where}: missing required property "${String(error.params.missingProperty)}"`;
      return `${where}: ${error.message ?? 'is invalid'}`;
    })
    .join('; ');
}

/**
 * Checks `response` against the inquiry's schema (st2's draft-3 `required: true` inside
 * `properties` read as its parent's `required` list, as st2 reads it).
 * @throws ValidationError saying what the schema expects and what was given.
 */
export function validateResponse(inquiry: Pick<Inquiry, 'id' | 'schema'>, response: unknown): asserts response is Record<string, unknown> {
  if (typeof response !== 'object' || response === null || Array.isArray(response)) {
    throw new ValidationError(`invalid response: inquiry ${inquiry.id} - expected a JSON object, got ${JSON.stringify(response)}`);
  }
  const validate = ajv.compile(draft3Required(inquiry.schema) as Record<string, unknown>);
  if (!validate(response)) {
    throw new ValidationError(
      `invalid response: inquiry ${inquiry.id} - ${describeErrors(validate.errors)}; got ${JSON.stringify(response)}, expected a value of the schema ${JSON.stringify(inquiry.schema)}`,
    );
  }
}

export interface InquiryServiceDeps {
  store: ExecutionStore;
  queue: Pick<WorkQueue, 'send'>;
  service: Pick<ExecutionService, 'resume'>;
}

/** Lists, shows and answers inquiries; an answer (or a timeout) resumes the workflow the inquiry paused. */
export class InquiryService {
  constructor(private readonly deps: InquiryServiceDeps) {}

  /** Pending inquiries, newest first. */
  async list(limit = 50): Promise<Inquiry[]> {
    const listed = await this.deps.store.list({ status: 'pending', limit });
    const found = await Promise.all(listed.map((listing) => this.deps.store.get(listing.id)));
    return found.filter((execution): execution is Execution => execution?.status === 'pending').map(inquiryOf);
  }

  /** @throws NotFoundError when `id` is no inquiry. */
  async get(id: string): Promise<Inquiry> {
    const execution = await this.deps.store.get(id);
    if (!execution || execution.runner !== 'inquirer')
      throw new NotFoundError(`unknown inquiry: ${id} - expected the id of a core.ask execution (see "actionrunner inquiry list")`);
    return inquiryOf(execution);
  }

  /**
   * Answers a pending inquiry: the response is validated against its schema, the inquiry succeeds
   * with `response` in its result, and its workflow resumes and hears of it. `users`, when the
   * inquiry names any, must include `user`.
   */
  async respond(id: string, response: unknown, user = DEFAULT_USER): Promise<Execution> {
    const inquiry = await this.get(id);
    if (inquiry.status !== 'pending')
      throw new ValidationError(`inquiry not pending: ${id} - it is ${inquiry.status}, only a pending inquiry takes a response`);
    if (inquiry.users.length > 0 && !inquiry.users.includes(user)) {
      throw new ValidationError(`not permitted: inquiry ${id} - user "${user}" is not one of its users ${JSON.stringify(inquiry.users)}`);
    }
    validateResponse(inquiry, response);
    const execution = (await this.deps.store.get(id))!;
    let answered: Execution;
    try {
      answered = await this.deps.store.respond(id, { ...(execution.result as Record<string, unknown>), response }, user);
    } catch (error) {
      if (error instanceof TransitionConflictError) throw new ValidationError(`inquiry not pending: ${id} - it is ${error.current?.status ?? 'gone'} now`);
      throw error;
    }
    await wakeWorkflow(this.deps, answered);
    return answered;
  }
}

/**
 * An inquiry ended (answered, or timed out): the workflow it paused resumes (st2 resumes the root
 * workflow; here each paused workflow resumes its own paused parent) and hears that its task ended.
 */
export async function wakeWorkflow(deps: Pick<InquiryServiceDeps, 'store' | 'queue' | 'service'>, ended: Execution): Promise<void> {
  const parentId = ended.context.parent;
  if (parentId) {
    const parent = await deps.store.get(parentId);
    if (parent && isWorkflowRunner(parent.runner) && (parent.status === 'paused' || parent.status === 'pausing')) {
      await deps.service.resume(parentId).catch((error: unknown) => {
        if (!(error instanceof ValidationError || error instanceof TransitionConflictError)) throw error;
      });
    }
  }
  await notifyParent(deps.queue, ended);
}
