import { splitAtBytes } from '../shared/utf8.ts';

/** Largest piece handed to an output sink in one write, in UTF-8 bytes. @default 65536 */
export const DEFAULT_MAX_WRITE_BYTES = 64 * 1024;

/**
 * Turns decoded text as it arrives into sink-sized pieces: whole lines (each keeping its "\n"),
 * coalesced up to `maxBytes`; a line longer than `maxBytes` is passed in pieces; the last
 * partial line waits for more text or for `end()`. Memory held: at most one partial line below `maxBytes`.
 */
export class LineChunker {
  private pending = '';

  constructor(private readonly maxBytes: number = DEFAULT_MAX_WRITE_BYTES) {
    if (!Number.isInteger(maxBytes) || maxBytes < 4) throw new RangeError(`invalid maxBytes: expected an integer >= 4, got ${maxBytes}`);
  }

  /** Pieces ready to write after `text` arrived. */
  push(text: string): string[] {
    if (text === '') return [];
    const all = this.pending + text;
    const lastNewline = all.lastIndexOf('\n');
    let ready: string;
    if (lastNewline === -1) {
      ready = '';
      this.pending = all;
    } else {
      ready = all.slice(0, lastNewline + 1);
      this.pending = all.slice(lastNewline + 1);
    }
    const out = this.cut(ready);
    // A partial line that alone exceeds the limit goes out in pieces now, so memory stays bounded.
    while (Buffer.byteLength(this.pending) > this.maxBytes) {
      const [head, tail] = splitAtBytes(this.pending, this.maxBytes);
      out.push(head);
      this.pending = tail;
    }
    return out;
  }

  /** Whatever is left (a final line without "\n"). */
  end(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? [] : this.cut(rest);
  }

  /** Splits whole lines into writes of at most maxBytes, cutting at line ends when possible. */
  private cut(text: string): string[] {
    const out: string[] = [];
    let rest = text;
    while (rest !== '') {
      if (Buffer.byteLength(rest) <= this.maxBytes) {
        out.push(rest);
        break;
      }
      const [head] = splitAtBytes(rest, this.maxBytes);
      const lineEnd = head.lastIndexOf('\n');
      const piece = lineEnd === -1 ? head : head.slice(0, lineEnd + 1);
      out.push(piece);
      rest = rest.slice(piece.length);
    }
    return out;
  }
}
