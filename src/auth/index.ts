export { ApiKeyStore, type ApiKeyStoreOptions, type ApiKeyView, type NewApiKey } from './api-keys.ts';
export { ApiKeyNotFoundError, ForbiddenError, UnauthorizedError } from './errors.ts';
