import type { ApiDeps } from '../deps.ts';
import { route, type Route } from '../router.ts';
import * as s from '../schemas.ts';

const tag = 'inquiries';

/** /v1/inquiries: the pending questions of core.ask (what `actionrunner inquiry` lists, shows and answers). */
export const inquiryRoutes: Route<ApiDeps>[] = [
  route({
    method: 'GET',
    path: '/v1/inquiries',
    operationId: 'listInquiries',
    summary: 'The pending inquiries, newest first',
    tag,
    query: s.ListInquiriesQuery,
    response: s.Inquiry.array(),
    async handle({ query }, { inquiries }) {
      return { body: await inquiries.list(query.limit) };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/inquiries/{id}',
    operationId: 'getInquiry',
    summary: 'One inquiry: its schema, roles, users, route, ttl and status (404 for an id that is no core.ask execution)',
    tag,
    response: s.Inquiry,
    async handle({ params }, { inquiries }) {
      return { body: await inquiries.get(params.id) };
    },
  }),
  route({
    method: 'PUT',
    path: '/v1/inquiries/{id}',
    operationId: 'respondToInquiry',
    summary: "Answer a pending inquiry as the key's user (400 naming what the schema refused); the workflow it paused resumes",
    tag,
    body: s.InquiryResponseBody,
    response: s.Inquiry,
    async handle({ params, body, caller }, { inquiries }) {
      await inquiries.respond(params.id, body.response, caller.user);
      return { body: await inquiries.get(params.id) };
    },
  }),
];
