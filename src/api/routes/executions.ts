import { executionDocument, listingDocument } from '../../app/documents.ts';
import { foundExecution, listPage, readOutputFrom, tasksOf } from '../../app/execution-queries.ts';
import { isTerminal } from '../../model/status.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { route, type Route } from '../router.ts';
import * as s from '../schemas.ts';

const tag = 'executions';

/** /v1/executions: st2's action executions. */
export const executionRoutes: Route<ApiDeps>[] = [
  route({
    method: 'POST',
    path: '/v1/executions',
    operationId: 'createExecution',
    summary: 'Run an action (st2 run): 201 with the new execution, 200 with the first one for a repeated idempotency_key',
    tag,
    body: s.CreateExecutionBody,
    status: 201,
    response: s.Execution,
    async handle({ body, caller }, { services }) {
      const { execution, created } = await services.service.request({
        action: body.action,
        parameters: body.parameters,
        idempotencyKey: body.idempotency_key,
        context: { user: caller.user },
      });
      return { status: created ? 201 : 200, body: executionDocument(execution) };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/executions',
    operationId: 'listExecutions',
    summary: 'Executions, newest first, a page at a time (the next page: ?next=<the next of this one>)',
    tag,
    query: s.ListExecutionsQuery,
    response: s.ExecutionPage,
    async handle({ query }, { services }) {
      const page = await listPage(services.store, query);
      return { body: { executions: page.executions.map((execution) => listingDocument(execution)), next: page.next ?? null } };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/executions/{id}',
    operationId: 'getExecution',
    summary: "One execution (parameters, result, status log); with show_tasks, a workflow's tasks",
    tag,
    query: s.GetExecutionQuery,
    response: s.Execution,
    async handle({ params, query }, { services }) {
      const execution = await foundExecution(services.store, params.id);
      const document = executionDocument(execution);
      if (!query.show_tasks) return { body: document };
      const tasks = await tasksOf(services.store, execution.id);
      return { body: { ...document, tasks: tasks.map((task) => listingDocument(task)) } };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/executions/{id}/output',
    operationId: 'getExecutionOutput',
    summary: 'Output chunks from an offset; follow a running execution by reading again from next_offset (wait: long poll)',
    tag,
    query: s.OutputQuery,
    response: s.OutputPage,
    async handle({ params, query }, { services }) {
      const slice = await readOutputFrom(services, params.id, { offset: query.offset, type: query.output_type, waitMs: query.wait * 1000 });
      return {
        body: {
          execution_id: slice.execution.id,
          status: slice.execution.status,
          output: slice.records.map((record) => ({ seq: record.seq, output_type: record.output_type, timestamp: record.timestamp, data: record.data })),
          next_offset: slice.nextOffset,
          done: slice.done,
        },
      };
    },
  }),
  route({
    method: 'DELETE',
    path: '/v1/executions/{id}',
    operationId: 'cancelExecution',
    summary: 'Cancel: one not started is canceled at once, a running one is canceling until its process tree is gone (409 when it already ended)',
    tag,
    response: s.Execution,
    async handle({ params }, { services }) {
      const before = await foundExecution(services.store, params.id);
      const ended = (status: string, end?: string) =>
        new ApiError(409, 'already_ended', `already ended: execution ${before.id} - it is ${status}${end ? ` since ${end}` : ''}, there is nothing to cancel`);
      if (isTerminal(before.status)) throw ended(before.status, before.end_timestamp);
      const current = await services.service.cancel(before.id);
      if (isTerminal(current.status) && current.status !== 'canceled') throw ended(current.status, current.end_timestamp);
      return { body: executionDocument(current) };
    },
  }),
  route({
    method: 'PUT',
    path: '/v1/executions/{id}',
    operationId: 'updateExecution',
    summary:
      'Pause ({"status": "pausing"}) or resume ({"status": "resuming"}) a workflow, as st2; 400 for what is no workflow or not in a state to, 409 when it already ended',
    tag,
    body: s.UpdateExecutionBody,
    response: s.Execution,
    async handle({ params, body }, { services }) {
      const before = await foundExecution(services.store, params.id);
      const verb = body.status === 'pausing' ? 'pause' : 'resume';
      if (isTerminal(before.status))
        throw new ApiError(409, 'already_ended', `already ended: execution ${before.id} - it is ${before.status}, there is nothing to ${verb}`);
      return { body: executionDocument(await services.service[verb](before.id)) };
    },
  }),
  route({
    method: 'POST',
    path: '/v1/executions/{id}/re_run',
    operationId: 'reRunExecution',
    summary: 'Run an execution again with the same parameters, those given replacing some',
    tag,
    body: s.ReRunBody,
    status: 201,
    response: s.Execution,
    async handle({ params, body }, { services }) {
      await foundExecution(services.store, params.id);
      return { body: executionDocument(await services.service.reRun(params.id, body.parameters, { tasks: body.tasks, noReset: body.no_reset })) };
    },
  }),
];
