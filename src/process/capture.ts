import { splitAtBytes } from '../shared/utf8.ts';

/** Keeps the first `maxBytes` UTF-8 bytes of a stream's text for the result, and notes whether more came. */
export class CappedText {
  private readonly parts: string[] = [];
  private bytes = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  append(text: string): void {
    if (this.truncated || text === '') {
      if (text !== '') this.truncated = true;
      return;
    }
    const size = Buffer.byteLength(text);
    if (this.bytes + size <= this.maxBytes) {
      this.parts.push(text);
      this.bytes += size;
      return;
    }
    const [head] = splitAtBytes(text, this.maxBytes - this.bytes);
    if (head !== '') this.parts.push(head);
    this.bytes += Buffer.byteLength(head);
    this.truncated = true;
  }

  toString(): string {
    return this.parts.join('');
  }
}
