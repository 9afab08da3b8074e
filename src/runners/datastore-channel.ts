import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { KeyValueStore } from '../datastore/store.ts';
import type { KeyValuePair } from '../datastore/types.ts';
import { parseScope, type Scope } from '../datastore/keys.ts';

/** The variables that tell a python action where its datastore is. */
export const DATASTORE_SOCKET_ENV = 'ACTIONRUNNER_DATASTORE_SOCKET';
export const DATASTORE_TOKEN_ENV = 'ACTIONRUNNER_DATASTORE_TOKEN';

/** What the python-script runner needs to serve an action's `self.action_service` datastore calls. */
export interface DatastoreAccess {
  kv: KeyValueStore;
  /** The execution's user: owner of the user scope. */
  user: string;
}

/** One request line of the child: `{"token","op","name","scope","value","decrypt","encrypt","ttl","prefix"}`. */
interface ChannelRequest {
  token?: unknown;
  op?: unknown;
  name?: unknown;
  scope?: unknown;
  value?: unknown;
  decrypt?: unknown;
  encrypt?: unknown;
  ttl?: unknown;
  prefix?: unknown;
}

function plain(pair: KeyValuePair | undefined) {
  return (
    pair && {
      name: pair.name,
      value: pair.value,
      scope: pair.scope,
      user: pair.user ?? null,
      secret: pair.secret,
      encrypted: pair.encrypted,
      expire_timestamp: pair.expire_timestamp ?? null,
    }
  );
}

async function answer(access: DatastoreAccess, request: ChannelRequest): Promise<unknown> {
  const scope: Scope = parseScope(request.scope ?? 'system');
  const user = scope === 'user' ? access.user : undefined;
  const ref = { scope, user, name: request.name as string };
  switch (request.op) {
    case 'get':
      return plain(await access.kv.get(ref, { decrypt: request.decrypt === true })) ?? null;
    case 'set':
      return plain(await access.kv.set(ref, request.value, { encrypt: request.encrypt === true, ttl: (request.ttl ?? undefined) as number | undefined }));
    case 'delete':
      return access.kv.delete(ref);
    case 'list':
      return (
        await access.kv.list(scope, user, { prefix: typeof request.prefix === 'string' ? request.prefix : undefined, decrypt: request.decrypt === true })
      ).map(plain);
    default:
      throw new Error(`unknown datastore operation: expected get, set, delete or list, got ${JSON.stringify(request.op)}`);
  }
}

/**
 * A request/response channel between a python action and the datastore, so that the child needs no
 * AWS credentials: a Unix socket in a private (0700) temporary folder, one JSON line per request and
 * per answer, each request carrying a random token given only to this child (in its environment).
 * The child reaches it through `ACTIONRUNNER_DATASTORE_SOCKET` / `ACTIONRUNNER_DATASTORE_TOKEN`.
 * @example const channel = await openDatastoreChannel({ kv, user: 'stanley' }); ...; await channel.close();
 */
export async function openDatastoreChannel(access: DatastoreAccess): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ar-kv-'));
  const socketPath = path.join(dir, 'datastore.sock');
  const token = randomBytes(24).toString('hex');
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    // Answers go back in order: one request at a time per connection.
    let chain = Promise.resolve();
    lines.on('line', (line) => {
      chain = chain.then(async () => {
        let reply: unknown;
        try {
          const request = JSON.parse(line) as ChannelRequest;
          const given = Buffer.from(typeof request.token === 'string' ? request.token : '');
          if (given.length !== token.length || !timingSafeEqual(given, Buffer.from(token))) {
            reply = { ok: false, error: 'datastore: refused - wrong token' };
          } else reply = { ok: true, value: await answer(access, request) };
        } catch (error) {
          reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
        if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    env: { [DATASTORE_SOCKET_ENV]: socketPath, [DATASTORE_TOKEN_ENV]: token },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
