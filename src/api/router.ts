import type { z } from 'zod';
import type { ApiKeyView } from '../auth/index.ts';
import { ApiError } from './errors.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a route's handler gets: path parameters, the validated query and body, and who is calling. */
export interface RouteInput<Q, B> {
  params: Record<string, string>;
  query: Q;
  body: B;
  caller: ApiKeyView;
}

/** A route's answer: its status (the route's `status` when unset) and JSON body. */
export interface RouteOutput {
  status?: number;
  body: unknown;
}

/** One operation of the API: the single description its validation, its dispatch and the OpenAPI document come from. */
export interface Route<D = unknown, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** OpenAPI-style template: `/v1/executions/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  query?: Q;
  body?: B;
  /** The success status. @default 200 */
  status?: number;
  response: z.ZodType;
  handle(input: RouteInput<z.output<Q>, z.output<B>>, deps: D): Promise<RouteOutput>;
}

/** Builds a route with its input types inferred from its schemas. */
export function route<D, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType>(definition: Route<D, Q, B>): Route<D> {
  return definition as unknown as Route<D>;
}

/** The `{name}` parameters of a path template, in order. */
export function pathParameters(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
}

/**
 * The route for `method` and `path`, with its decoded path parameters.
 * @throws ApiError 404 when no route has the path, 405 when the path has no route for the method.
 */
export function matchRoute<D>(routes: readonly Route<D>[], method: string, path: string): { route: Route<D>; params: Record<string, string> } {
  const segments = path.replace(/\/+$/, '').split('/');
  let pathKnown = false;
  for (const candidate of routes) {
    const template = candidate.path.split('/');
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!name) return part === segments[i];
      if (segments[i] === '') return false;
      try {
        params[name] = decodeURIComponent(segments[i]);
      } catch {
        return false;
      }
      return true;
    });
    if (!matches) continue;
    pathKnown = true;
    if (candidate.method === method) return { route: candidate, params };
  }
  if (pathKnown) throw new ApiError(405, 'method_not_allowed', `method not allowed: ${method} ${path} - see /v1/openapi.json for the methods of this path`);
  throw new ApiError(404, 'not_found', `no such route: ${method} ${path} - see /v1/openapi.json for the routes`);
}
