import type { TextFilter } from '../process/run-process.ts';

/** st2's ACTION_OUTPUT_RESULT_DELIMITER (python_runner), which our node wrapper uses too. */
export const RESULT_DELIMITER = '%%%%%~=~=~=************=~=~=~%%%%\n';

/** Largest result block kept, in characters; a bigger one is dropped and reported. @default 32 MiB */
export const MAX_RESULT_BLOCK_CHARS = 32 * 1024 * 1024;

/** Length of the longest suffix of `text` that is a prefix of the delimiter (it may complete later). */
function partialDelimiterSuffix(text: string): number {
  const max = Math.min(text.length, RESULT_DELIMITER.length - 1);
  for (let k = max; k > 0; k--) {
    if (RESULT_DELIMITER.startsWith(text.slice(text.length - k))) return k;
  }
  return 0;
}

/**
 * Takes the wrapper's result block (delimiter, JSON, delimiter) out of stdout as it streams, wherever
 * chunk boundaries fall and even mid-line, so it is never stored as output. Only the first block counts.
 */
export class ResultBlockFilter implements TextFilter {
  private state: 'before' | 'inside' | 'after' = 'before';
  private held = '';
  private block: string[] = [];
  private blockChars = 0;
  /** True when the block exceeded MAX_RESULT_BLOCK_CHARS and was dropped. */
  overflow = false;

  push(text: string): string {
    let buffer = this.held + text;
    this.held = '';
    let out = '';
    while (buffer !== '') {
      if (this.state === 'after') {
        out += buffer;
        break;
      }
      const at = buffer.indexOf(RESULT_DELIMITER);
      if (at !== -1) {
        if (this.state === 'before') out += buffer.slice(0, at);
        else this.keep(buffer.slice(0, at));
        this.state = this.state === 'before' ? 'inside' : 'after';
        buffer = buffer.slice(at + RESULT_DELIMITER.length);
        continue;
      }
      const hold = partialDelimiterSuffix(buffer);
      this.held = buffer.slice(buffer.length - hold);
      const ready = buffer.slice(0, buffer.length - hold);
      if (this.state === 'before') out += ready;
      else this.keep(ready);
      break;
    }
    return out;
  }

  end(): string {
    const rest = this.held;
    this.held = '';
    if (this.state !== 'inside') return rest;
    // An unterminated block is not a result: give the text back as output, nothing is lost.
    this.state = 'after';
    const text = RESULT_DELIMITER + this.block.join('') + rest;
    this.block = [];
    return text;
  }

  /** The block's text once the closing delimiter was seen; undefined otherwise. */
  get resultText(): string | undefined {
    return this.state === 'after' && !this.overflow && this.block.length > 0 ? this.block.join('') : undefined;
  }

  private keep(text: string): void {
    if (this.overflow || text === '') return;
    this.blockChars += text.length;
    if (this.blockChars > MAX_RESULT_BLOCK_CHARS) {
      this.overflow = true;
      this.block = [];
      return;
    }
    this.block.push(text);
  }
}

/** The wrapper's `{ result, status, error }` object, or undefined when absent or not JSON. */
export function parseResultBlock(text: string | undefined): { result?: unknown; status?: unknown; error?: unknown } | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text.trim());
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as { result?: unknown; status?: unknown; error?: unknown })
      : undefined;
  } catch {
    return undefined;
  }
}
