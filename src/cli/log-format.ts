import type { Colors } from './format.ts';

const LEVEL_WIDTH = 5;

/**
 * One JSON log line (src/log) as a readable line: `12:04:05.120 INFO  message key=value ...`.
 * Anything that is not such a line is returned unchanged.
 */
export function prettyLogLine(line: string, c: Colors): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (!entry || typeof entry !== 'object' || typeof entry.message !== 'string' || typeof entry.level !== 'string') return line;
  const { time, level, message, ...fields } = entry as { time?: string; level: string; message: string };
  const paint = level === 'error' ? c.red : level === 'warn' ? c.yellow : level === 'debug' ? c.dim : c.blue;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const rest = Object.entries(fields)
    .map(([key, value]) => `${c.dim(`${key}=`)}${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${c.dim(clock)} ${paint(level.toUpperCase().padEnd(LEVEL_WIDTH))} ${message}${rest ? ` ${rest}` : ''}`;
}

/** Rewrites this process's JSON log lines on stderr as readable lines (for a terminal). */
export function prettyPrintLogs(c: Colors): void {
  const write = process.stderr.write.bind(process.stderr);
  let partial = '';
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    const out = lines.map((line) => `${prettyLogLine(line, c)}\n`).join('');
    return out ? write(out, ...(rest as [])) : true;
  }) as typeof process.stderr.write;
}
