import { textMasker } from './mask.ts';
import { allVariants } from './secret-variants.ts';

/**
 * Masks secrets in a stream of text that arrives in pieces: a secret split across two pieces (two
 * writes of the program, a line cut at the chunk size, a multi-line secret) is still masked. Holds
 * back only the end of a piece that could start a secret, so that output stays live.
 * Has `push`/`end` of runProcess's `TextFilter`.
 * @example
 * const m = new SecretStreamMasker(['hunter2']);
 * m.push('pw=hun') + m.push('ter2\n') + m.end() // 'pw=********\n'
 */
export class SecretStreamMasker {
  readonly #mask: (text: string) => string;
  readonly #variants: string[];
  #held = '';

  constructor(secretValues: readonly string[]) {
    this.#mask = textMasker(secretValues);
    this.#variants = allVariants(secretValues);
  }

  /** Text that can go out now, masked. */
  push(text: string): string {
    if (this.#variants.length === 0) return text;
    const masked = this.#mask(this.#held + text);
    const keep = this.#startOfSecretAtEnd(masked);
    this.#held = masked.slice(masked.length - keep);
    return masked.slice(0, masked.length - keep);
  }

  /** What was held back, at end of stream. */
  end(): string {
    const rest = this.#held;
    this.#held = '';
    return rest;
  }

  /** Length of the longest end of `text` that is a proper beginning of some secret form. */
  #startOfSecretAtEnd(text: string): number {
    let longest = 0;
    for (const variant of this.#variants) {
      const from = Math.max(0, text.length - variant.length + 1);
      for (let at = text.indexOf(variant[0], from); at !== -1; at = text.indexOf(variant[0], at + 1)) {
        const tail = text.length - at;
        if (tail > longest && variant.startsWith(text.slice(at))) longest = tail;
        if (tail <= longest) break;
      }
    }
    return longest;
  }
}
