// Apart from the emulators themselves: the CLI sets these to talk to a running local runtime without loading them.

/** Dummy credentials the embedded emulators accept (any would do; the SDK wants some). */
export const EMULATOR_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } as const;

/**
 * Sets the emulators' dummy credentials in `env` (default: `process.env`), dropping any session or
 * profile that would make the SDK use real ones. Actions never see them (child environments are allow-listed).
 */
export function useEmulatorCredentials(env: Record<string, string | undefined> = process.env): void {
  Object.assign(env, EMULATOR_CREDENTIALS);
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
}
