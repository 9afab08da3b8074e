import { z } from 'zod';
import { pathParameters, type Route } from './router.ts';
import { ErrorBody } from './schemas.ts';

const json = (schema: z.ZodType, io: 'input' | 'output') => ({ 'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) } });

function queryParameters(schema: z.ZodType | undefined): Record<string, unknown>[] {
  if (!schema) return [];
  const document = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(document.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', required: (document.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest };
  });
}

const errorResponse = (description: string) => ({ description, content: json(ErrorBody, 'output') });

/**
 * The OpenAPI 3.1 document of `routes`, generated from the zod schemas the handlers validate with: the one
 * source of truth for both. Every operation needs an API key (`St2-Api-Key` or a bearer token).
 * @example openApiDocument(apiRoutes).paths['/v1/executions'].post.operationId // 'createExecution'
 */
export function openApiDocument(routes: readonly Route<unknown>[], version = '1'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const operation = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      parameters: [...pathParameters(r.path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })), ...queryParameters(r.query)],
      ...(r.body ? { requestBody: { required: true, content: json(r.body, 'input') } } : {}),
      responses: {
        [String(r.status ?? 200)]: r.status === 204 ? { description: 'done' } : { description: 'success', content: json(r.response, 'output') },
        ...(r.body ? { '413': errorResponse('the body is larger than the limit') } : {}),
        '400': errorResponse('the request is invalid: faultstring says what was expected and what was given'),
        '401': errorResponse('no API key, or not a valid one'),
        '404': errorResponse('no such resource'),
      },
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'lambda-actionrunner API',
      version,
      description: "StackStorm's st2api for the serverless action runner: executions, actions, the datastore and the dead-letter queues.",
    },
    servers: [{ url: '/' }],
    security: [{ St2ApiKey: [] }, { Bearer: [] }],
    components: {
      securitySchemes: {
        St2ApiKey: { type: 'apiKey', in: 'header', name: 'St2-Api-Key' },
        Bearer: { type: 'http', scheme: 'bearer' },
      },
    },
    paths,
  };
}
