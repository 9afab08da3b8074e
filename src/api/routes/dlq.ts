import { z } from 'zod';
import { deadLetterDocument, redriveOutcomeDocument } from '../../app/documents.ts';
import { queueKinds } from '../../dlq/dead-letters.ts';
import type { ApiDeps } from '../deps.ts';
import { route, type Route } from '../router.ts';
import * as s from '../schemas.ts';

const tag = 'dlq';

/** /v1/dlq: the work queues' dead-letter queues (what `actionrunner dlq` shows and redrives). */
export const dlqRoutes: Route<ApiDeps>[] = [
  route({
    method: 'GET',
    path: '/v1/dlq',
    operationId: 'listDeadLetters',
    summary: 'The messages on the dead-letter queues, oldest first, with why each is there (none is consumed)',
    tag,
    query: s.ListDeadLettersQuery,
    response: z.array(s.DeadLetter),
    async handle({ query }, { deadLetters }) {
      const views = await deadLetters.list(queueKinds(query.queue));
      return { body: views.map((view) => deadLetterDocument(view)) };
    },
  }),
  route({
    method: 'POST',
    path: '/v1/dlq/redrive',
    operationId: 'redriveDeadLetters',
    summary: 'Send messages back to their queue (ids: these; none: every one); never runs an action twice',
    tag,
    body: s.RedriveBody,
    response: z.array(s.RedriveOutcome),
    async handle({ body }, { deadLetters }) {
      const outcomes = await deadLetters.redrive(queueKinds(body.queue), body.ids);
      return { body: outcomes.map((outcome) => redriveOutcomeDocument(outcome)) };
    },
  }),
];
