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
    process.stderr.write(`${JSON.stringify(line, errorReplacer)}\n`);
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
