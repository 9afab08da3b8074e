import { actionDocument } from '../../app/documents.ts';
import { unavailableError } from '../../actions/catalog.ts';
import { NotFoundError } from '../../model/errors.ts';
import type { ApiDeps } from '../deps.ts';
import { route, type Route } from '../router.ts';
import * as s from '../schemas.ts';
import { z } from 'zod';

const tag = 'actions';

/** /v1/actions: the actions of the installed packs (secret defaults masked). */
export const actionRoutes: Route<ApiDeps>[] = [
  route({
    method: 'GET',
    path: '/v1/actions',
    operationId: 'listActions',
    summary: 'The runnable actions, by ref',
    tag,
    query: s.ListActionsQuery,
    response: z.array(s.Action),
    async handle({ query }, { services }) {
      const inPack = (ref: string) => !query.pack || ref.startsWith(`${query.pack}.`);
      const actions = services.catalog
        .list()
        .filter((action) => inPack(action.ref))
        .sort((a, b) => a.ref.localeCompare(b.ref));
      return { body: actions.map((action) => actionDocument(action)) };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/actions/{ref}',
    operationId: 'getAction',
    summary: 'One action and its parameters',
    tag,
    response: s.Action,
    async handle({ params }, { services }) {
      const action = services.catalog.get(params.ref);
      const unavailable = action ? undefined : services.catalog.unavailable?.(params.ref);
      if (unavailable) throw new NotFoundError(unavailableError(unavailable).message);
      if (!action) throw new NotFoundError(`unknown action: ${params.ref} - expected pack.name of an installed action (GET /v1/actions)`);
      return { body: actionDocument(action) };
    },
  }),
];
