export { createApiHandler, presentedKey, type ApiHandler, type ApiOptions } from './handler.ts';
export { startApiServer, toEvent } from './node-server.ts';
export { openApiDocument } from './openapi.ts';
export { API_ROUTES } from './routes/index.ts';
export type { ApiDeps } from './deps.ts';
