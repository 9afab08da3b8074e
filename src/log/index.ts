import { maskDeep } from '../model/mask.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * One JSON object per line (what CloudWatch Logs Insights and `jq` read), on stderr so that
 * stdout stays free for a CLI's own output. Level from `ACTIONRUNNER_LOG_LEVEL` (default info).
 */
export function createLogger(fields: Record<string, unknown> = {}, level: LogLevel = envLevel()): Logger {
  const emit = (at: LogLevel, message: string, extra?: Record<string, unknown>) => {
    if (ORDER[at] < ORDER[level]) return;
    const line = { time: new Date().toISOString(), level: at, message, ...fields, ...extra };
    const text = JSON.stringify(line, errorReplacer);
    // Masked on the plain JSON value, so that escaped forms of a secret are found too.
    process.stderr.write(`${activeSecrets.size > 0 ? JSON.stringify(maskDeep(JSON.parse(text), [...activeSecrets.keys()])) : text}\n`);
  };
  return {
    debug: (message, extra) => emit('debug', message, extra),
    info: (message, extra) => emit('info', message, extra),
    warn: (message, extra) => emit('warn', message, extra),
    error: (message, extra) => emit('error', message, extra),
    child: (more) => createLogger({ ...fields, ...more }, level),
  };
}

function envLevel(): LogLevel {
  const value = process.env.ACTIONRUNNER_LOG_LEVEL;
  return value && value in ORDER ? (value as LogLevel) : 'info';
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

// Secret values of the executions running in this process, with how many registered each.
const activeSecrets = new Map<string, number>();

/**
 * Masks `secretValues` in every log line of this process (any logger) until the returned function
 * is called: for the time an execution runs and its outcome is recorded, whatever part of the code
 * logs an error or a value that quotes one of its secrets.
 * @example const release = maskSecretsInLogs(['hunter2']); try { ... } finally { release(); }
 */
export function maskSecretsInLogs(secretValues: readonly string[]): () => void {
  const values = [...new Set(secretValues)];
  for (const value of values) activeSecrets.set(value, (activeSecrets.get(value) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const value of values) {
      const count = (activeSecrets.get(value) ?? 1) - 1;
      if (count <= 0) activeSecrets.delete(value);
      else activeSecrets.set(value, count);
    }
  };
}
