import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiKeyView } from '../auth/index.ts';
import { UnauthorizedError } from '../auth/errors.ts';
import type { Logger } from '../log/index.ts';
import type { ApiDeps } from './deps.ts';
import { ApiError, describeZodError, errorResponse } from './errors.ts';
import { matchRoute, type Route } from './router.ts';
import { API_ROUTES } from './routes/index.ts';
import { MAX_BODY_BYTES } from './schemas.ts';
import { API_CSP, defaultWebDir, PAGE_CSP, staticFile } from './static-files.ts';

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface ApiOptions {
  deps: ApiDeps;
  /** Checks a presented key. */
  apiKeys: { authenticate(key: string): Promise<ApiKeyView | undefined> };
  log: Logger;
  /** Where the web page's files are. @default defaultWebDir() */
  webDir?: string;
  /** @default API_ROUTES */
  routes?: readonly Route<ApiDeps>[];
}

const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };

function jsonResponse(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': API_CSP, ...SECURITY_HEADERS },
    body: status === 204 ? '' : JSON.stringify(body),
  };
}

/** The key a request presents: st2's `St2-Api-Key` header, or `Authorization: Bearer <key>`. */
export function presentedKey(headers: Record<string, string | undefined>): string | undefined {
  const st2 = headers['st2-api-key'];
  if (st2) return st2.trim();
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return bearer?.[1];
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}

function bodyOf(event: APIGatewayProxyEventV2): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw);
  if (bytes.length > MAX_BODY_BYTES)
    throw new ApiError(413, 'payload_too_large', `body too large: ${bytes.length} bytes - expected at most ${MAX_BODY_BYTES} bytes of JSON`);
  return bytes.toString('utf8');
}

function parseJson(text: string, route: Route<ApiDeps>): unknown {
  if (!route.body) return undefined;
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `invalid request body: expected JSON - ${(error as Error).message}`);
  }
}

function validated(schema: Route<ApiDeps>['query'], value: unknown, what: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, 'invalid_request', describeZodError(result.error, what));
  return result.data;
}

/**
 * The API as one API Gateway (HTTP API, payload v2) handler: `/v1/...` routes behind an API key, the web
 * page's files at `/` without one. The local runtime serves the same handler through src/api/node-server.ts.
 * Every failure is `{ faultstring, code }` JSON; every denied request is logged, without the key.
 */
export function createApiHandler(options: ApiOptions): ApiHandler {
  const routes = options.routes ?? API_ROUTES;
  const webDir = options.webDir ?? defaultWebDir();
  const { log } = options;

  async function serveStatic(method: string, path: string): Promise<APIGatewayProxyStructuredResultV2> {
    if (method !== 'GET') throw new ApiError(405, 'method_not_allowed', `method not allowed: ${method} ${path} - the page's files are read with GET`);
    const file = await staticFile(webDir, path);
    if (!file) throw new ApiError(404, 'not_found', `no such file: ${path} - the API is under /v1 (see /v1/openapi.json)`);
    const text = /^(text\/|application\/json|image\/svg)/.test(file.contentType);
    return {
      statusCode: 200,
      headers: { 'content-type': file.contentType, 'cache-control': 'no-cache', 'content-security-policy': PAGE_CSP, ...SECURITY_HEADERS },
      body: text ? file.body.toString('utf8') : file.body.toString('base64'),
      isBase64Encoded: !text,
    };
  }

  async function serveApi(event: APIGatewayProxyEventV2, method: string, path: string, context: Record<string, unknown>) {
    const headers = lowerCaseHeaders(event.headers);
    const key = presentedKey(headers);
    const caller = key ? await options.apiKeys.authenticate(key) : undefined;
    if (!caller) {
      const reason = key ? 'not a valid API key' : 'no API key';
      log.warn('request denied', { ...context, reason });
      throw new UnauthorizedError(
        `unauthorized: ${reason} - send one as the St2-Api-Key header or Authorization: Bearer <key> (create one with "actionrunner apikey create")`,
      );
    }
    context.apiKey = caller.id;
    const { route, params } = matchRoute(routes, method, path);
    const text = bodyOf(event);
    const query = validated(route.query, { ...(event.queryStringParameters ?? {}) }, 'query');
    const body = validated(route.body, parseJson(text, route), 'request body');
    const output = await route.handle({ params, query, body, caller }, options.deps);
    return jsonResponse(output.status ?? route.status ?? 200, output.body);
  }

  return async (event) => {
    const started = Date.now();
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = event.rawPath || '/';
    const context: Record<string, unknown> = {
      method,
      path,
      sourceIp: event.requestContext?.http?.sourceIp,
      userAgent: event.requestContext?.http?.userAgent,
    };
    let response: APIGatewayProxyStructuredResultV2;
    try {
      response = path === '/v1' || path.startsWith('/v1/') ? await serveApi(event, method, path, context) : await serveStatic(method, path);
    } catch (error) {
      const answer = errorResponse(error);
      if (answer.internal) log.error('request failed', { ...context, error });
      response = jsonResponse(answer.status, answer.body);
    }
    log.info('request', { ...context, status: response.statusCode, durationMs: Date.now() - started });
    return response;
  };
}
