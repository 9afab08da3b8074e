import { createApiHandler } from '../src/api/handler.ts';
import { createApiServices } from '../src/api/services.ts';

// Built once per cold start: clients, the pack catalog, the API key store.
export const runtime = createApiServices();

/** The HTTP API (API Gateway, payload v2): /v1 behind an API key, the web page at /. */
export const handler = createApiHandler(runtime);
