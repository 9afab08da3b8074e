import { openApiDocument } from '../openapi.ts';
import type { ApiDeps } from '../deps.ts';
import { route, type Route } from '../router.ts';
import { OpenApiDocument } from '../schemas.ts';
import { actionRoutes } from './actions.ts';
import { dlqRoutes } from './dlq.ts';
import { executionRoutes } from './executions.ts';
import { inquiryRoutes } from './inquiries.ts';
import { keyRoutes } from './keys.ts';

const resourceRoutes: Route<ApiDeps>[] = [...executionRoutes, ...actionRoutes, ...inquiryRoutes, ...keyRoutes, ...dlqRoutes];

const openApiRoute: Route<ApiDeps> = route({
  method: 'GET',
  path: '/v1/openapi.json',
  operationId: 'getOpenApiDocument',
  summary: 'This document',
  tag: 'meta',
  response: OpenApiDocument,
  async handle() {
    return { body: OPENAPI };
  },
});

/** Every route of the API, the document's own included. */
export const API_ROUTES: readonly Route<ApiDeps>[] = [...resourceRoutes, openApiRoute];

/** Generated once, from the routes' schemas. */
const OPENAPI = openApiDocument(API_ROUTES);
