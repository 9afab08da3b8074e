import { userInfo } from 'node:os';
import { DEFAULT_USER } from '../datastore/keys.ts';

/**
 * Who the CLI acts as: `ACTIONRUNNER_USER`, else the OS user running it, else st2's `stanley`.
 * Executions it requests carry it (`context.user`); it owns the user scope of `key` commands.
 */
export function cliUser(env: Record<string, string | undefined> = process.env): string {
  if (env.ACTIONRUNNER_USER) return env.ACTIONRUNNER_USER;
  try {
    return userInfo().username || DEFAULT_USER;
  } catch {
    return DEFAULT_USER;
  }
}
