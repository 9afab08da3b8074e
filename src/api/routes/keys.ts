import { z } from 'zod';
import { ForbiddenError } from '../../auth/errors.ts';
import type { ApiKeyView } from '../../auth/index.ts';
import { KeyNotFoundError, parseScope, type Scope } from '../../datastore/index.ts';
import type { ApiDeps } from '../deps.ts';
import { route, type Route } from '../router.ts';
import * as s from '../schemas.ts';

const tag = 'keys';

/** The scope and its owner: `user` keys are the caller's (its API key's user). */
function scoped(scope: string, caller: ApiKeyView): { scope: Scope; user: string | undefined } {
  const parsed = parseScope(scope);
  return { scope: parsed, user: parsed === 'user' ? caller.user : undefined };
}

/** Plaintext secrets only when asked for and when the caller's key allows it (st2: admins only). */
function mayDecrypt(decrypt: boolean | undefined, caller: ApiKeyView): boolean {
  if (decrypt && !caller.allow_decrypt)
    throw new ForbiddenError(`decrypt refused: API key ${caller.id} - it was not created with --allow-decrypt; ask without decrypt to get the ciphertext`);
  return Boolean(decrypt);
}

/** /v1/keys: the datastore (st2kv). Secrets stay encrypted unless decrypt is asked for and permitted. */
export const keyRoutes: Route<ApiDeps>[] = [
  route({
    method: 'GET',
    path: '/v1/keys',
    operationId: 'listKeys',
    summary: 'The keys of a scope, by name',
    tag,
    query: s.ListKeysQuery,
    response: z.array(s.KeyValuePair),
    async handle({ query, caller }, { services }) {
      const { scope, user } = scoped(query.scope, caller);
      return { body: await services.kv.list(scope, user, { prefix: query.prefix, decrypt: mayDecrypt(query.decrypt, caller) }) };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/keys/{name}',
    operationId: 'getKey',
    summary: 'One key',
    tag,
    query: s.GetKeyQuery,
    response: s.KeyValuePair,
    async handle({ params, query, caller }, { services }) {
      const { scope, user } = scoped(query.scope, caller);
      const pair = await services.kv.get({ scope, user, name: params.name }, { decrypt: mayDecrypt(query.decrypt, caller) });
      if (!pair) throw new KeyNotFoundError(params.name);
      return { body: pair };
    },
  }),
  route({
    method: 'PUT',
    path: '/v1/keys/{name}',
    operationId: 'setKey',
    summary: 'Set a key (secret: stored encrypted; the answer holds its ciphertext)',
    tag,
    body: s.PutKeyBody,
    response: s.KeyValuePair,
    async handle({ params, body, caller }, { services }) {
      const { scope, user } = scoped(body.scope, caller);
      return { body: await services.kv.set({ scope, user, name: params.name }, body.value, { encrypt: body.secret, ttl: body.ttl }) };
    },
  }),
  route({
    method: 'DELETE',
    path: '/v1/keys/{name}',
    operationId: 'deleteKey',
    summary: 'Delete a key',
    tag,
    query: s.DeleteKeyQuery,
    status: 204,
    response: z.null(),
    async handle({ params, query, caller }, { services }) {
      const { scope, user } = scoped(query.scope, caller);
      if (!(await services.kv.delete({ scope, user, name: params.name }))) throw new KeyNotFoundError(params.name);
      return { status: 204, body: null };
    },
  }),
];
