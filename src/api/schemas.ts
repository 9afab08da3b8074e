// The API's schemas: what the handlers validate requests with and what the OpenAPI document is generated from.
import { z } from 'zod';
import { EXECUTION_STATUSES } from '../model/status.ts';

/** Most executions a page may hold (`limit`). */
export const MAX_PAGE_SIZE = 100;
/** Largest request body accepted (bytes): room for the datastore's largest value (256 KiB) and its JSON. */
export const MAX_BODY_BYTES = 300 * 1024;
/** Longest `wait` of an output read (seconds): below API Gateway's 30 s limit. */
export const MAX_OUTPUT_WAIT_SECONDS = 20;

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A whole number in a query string, within bounds. */
const intParam = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(String(fallback) as never);

/** `true|false|1|0` in a query string. */
const boolParam = z
  .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1')
  .optional();

/** An ISO 8601 date or date-time in a query string, as epoch ms. */
const timeParam = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)), {
    error: 'expected an ISO 8601 date or date-time (2026-01-31T12:00:00Z)',
  })
  .transform((value) => Date.parse(value))
  .optional();

export const ExecutionStatus = z.enum(EXECUTION_STATUSES);
export const ActionRef = z.string().regex(/^[\w-]+\.[\w.-]+$/, { error: 'expected an action reference, pack.name' });
export const ExecutionId = z.string().regex(ULID, { error: 'expected an execution id (a ULID)' });

export const ListExecutionsQuery = z.strictObject({
  limit: intParam(1, MAX_PAGE_SIZE, 50).describe(`executions on this page (1-${MAX_PAGE_SIZE})`),
  action: ActionRef.optional(),
  status: ExecutionStatus.optional(),
  parent: ExecutionId.optional().describe("only this workflow's tasks"),
  since: timeParam.describe('created at or after'),
  until: timeParam.describe('created at or before'),
  top_level: boolParam.describe('only executions without a parent (no workflow tasks)'),
  next: ExecutionId.optional().describe('the cursor the previous page returned'),
});

export const GetExecutionQuery = z.strictObject({
  show_tasks: boolParam.describe("also list a workflow's task executions"),
});

export const OutputQuery = z.strictObject({
  offset: intParam(0, Number.MAX_SAFE_INTEGER, 0).describe('the first chunk to read: 0, or the next_offset of the previous read'),
  output_type: z.enum(['stdout', 'stderr']).optional(),
  wait: intParam(0, MAX_OUTPUT_WAIT_SECONDS, 0).describe('seconds to wait for new output while the execution runs (long poll)'),
});

const Parameters = z.record(z.string(), z.unknown()).describe("the action's parameters, by name");

export const CreateExecutionBody = z.strictObject({
  action: ActionRef,
  parameters: Parameters.default({}),
  idempotency_key: z.string().min(1).max(256).optional().describe('a second request with the same key returns the first execution'),
});

const TaskName = z.string().min(1).max(256);

export const ReRunBody = z.strictObject({
  parameters: Parameters.default({}).describe('parameters replacing those of the original execution'),
  tasks: z.array(TaskName).min(1).optional().describe("a completed workflow's tasks to run again, keeping the rest of its state (st2's re_run tasks)"),
  no_reset: z.array(TaskName).min(1).optional().describe('with-items tasks among `tasks` that run again only their items that did not succeed'),
});

/** st2's `PUT /v1/executions/{id}`: only the statuses that pause or resume a workflow are accepted. */
export const UpdateExecutionBody = z.strictObject({
  status: z
    .enum(['pausing', 'resuming'], { error: 'expected "pausing" (pause a running workflow) or "resuming" (resume a paused one)' })
    .describe('pausing: pause a running workflow; resuming: resume a pausing or paused one'),
});

export const ListInquiriesQuery = z.strictObject({ limit: intParam(1, MAX_PAGE_SIZE, 50).describe(`inquiries to list (1-${MAX_PAGE_SIZE})`) });
export const InquiryResponseBody = z.strictObject({
  response: z.record(z.string(), z.unknown()).describe("the answer, a JSON object the inquiry's schema accepts"),
});

export const ListActionsQuery = z.strictObject({ pack: z.string().min(1).optional() });

const Scope = z.enum(['system', 'user', 'st2kv.system', 'st2kv.user']).default('system');
export const KeyName = z.string().min(1).max(512);

export const ListKeysQuery = z.strictObject({
  scope: Scope,
  prefix: z.string().optional(),
  decrypt: boolParam.describe('secrets in plaintext (the key must allow it)'),
});
export const GetKeyQuery = z.strictObject({ scope: Scope, decrypt: boolParam.describe('a secret in plaintext (the key must allow it)') });
export const DeleteKeyQuery = z.strictObject({ scope: Scope });
export const PutKeyBody = z.strictObject({
  value: z.string(),
  secret: z.boolean().default(false).describe('store it encrypted'),
  ttl: z.number().int().min(1).optional().describe('seconds until it expires'),
  scope: Scope,
});

export const ListDeadLettersQuery = z.strictObject({ queue: z.enum(['actions', 'workflows']).optional() });
export const RedriveBody = z.strictObject({
  queue: z.enum(['actions', 'workflows']).optional(),
  ids: z.array(z.string().min(1)).max(100).default([]).describe('message ids; none: every message'),
});

// Responses (documented; the handlers build them from src/app/documents.ts).
export const ErrorBody = z.object({ faultstring: z.string(), code: z.string() });

const Timestamps = {
  start_timestamp: z.string(),
  end_timestamp: z.string().nullable(),
  elapsed_seconds: z.number(),
};
export const ExecutionListing = z.looseObject({
  id: z.string(),
  action: z.string(),
  runner: z.string(),
  status: ExecutionStatus,
  error: z.string().optional(),
  context: z.record(z.string(), z.unknown()),
  ...Timestamps,
});
export const Execution = ExecutionListing.extend({
  parameters: z.record(z.string(), z.unknown()).describe('secrets masked'),
  result: z.unknown(),
  attempt: z.number().optional(),
  log: z.array(z.record(z.string(), z.unknown())),
  tasks: z.array(ExecutionListing).optional().describe('with show_tasks'),
});
export const ExecutionPage = z.object({
  executions: z.array(ExecutionListing),
  next: z.string().nullable().describe('the cursor of the next page, null on the last'),
});
export const OutputChunk = z.object({ seq: z.number(), output_type: z.enum(['stdout', 'stderr']), timestamp: z.string(), data: z.string() });
export const OutputPage = z.object({
  execution_id: z.string(),
  status: ExecutionStatus,
  output: z.array(OutputChunk),
  next_offset: z.number().describe('the offset of the next read'),
  done: z.boolean().describe('the execution ended and everything was read'),
});
export const Action = z.looseObject({
  ref: z.string(),
  pack: z.string(),
  name: z.string(),
  description: z.string(),
  runner_type: z.string(),
  enabled: z.boolean(),
  parameters: z.record(z.string(), z.unknown()),
});
export const Inquiry = z.object({
  id: z.string().describe('the id of the core.ask execution'),
  schema: z.record(z.string(), z.unknown()).describe('what a response must be (JSON Schema)'),
  roles: z.array(z.unknown()),
  users: z.array(z.unknown()).describe('when not empty, only these users may respond'),
  route: z.string(),
  ttl: z.number().describe('minutes it waits for a response'),
  expires_at: z.number().optional().describe('epoch ms when it times out'),
  parent: z.string().optional().describe('the workflow execution it paused'),
  status: ExecutionStatus,
  response: z.record(z.string(), z.unknown()).optional(),
});
export const KeyValuePair = z.object({
  name: z.string(),
  value: z.string().describe('a secret read without decrypt: its ciphertext'),
  scope: z.string(),
  user: z.string().optional(),
  secret: z.boolean(),
  encrypted: z.boolean(),
  expire_timestamp: z.string().optional(),
  updated_at: z.string(),
});
export const DeadLetter = z.looseObject({
  message_id: z.string(),
  queue: z.enum(['actions', 'workflows']),
  execution_id: z.string().nullable(),
  action: z.string().nullable(),
  received: z.number().nullable(),
  sent_at: z.string().nullable(),
  moved_by: z.enum(['handler', 'sqs']),
  reason: z.string(),
});
export const RedriveOutcome = z.object({
  message_id: z.string(),
  queue: z.enum(['actions', 'workflows']),
  redriven: z.boolean(),
  sent_as: z.string().optional(),
  reason: z.string().optional(),
});
export const OpenApiDocument = z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) });
