/**
 * Cuts `text` after at most `maxBytes` UTF-8 bytes, never inside a character
 * (a cut in the middle would turn a valid character into U+FFFD).
 */
export function splitAtBytes(text: string, maxBytes: number): [head: string, tail: string] {
  if (maxBytes <= 0) return ['', text];
  if (Buffer.byteLength(text) <= maxBytes) return [text, ''];
  // Well-formed text (decoded by a TextDecoder, or a JS string without lone surrogates): bytes and characters map one to one.
  const bytes = Buffer.from(text, 'utf8');
  let cut = maxBytes;
  // Back off over UTF-8 continuation bytes (10xxxxxx) to a character start.
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  if (cut === 0) return ['', text];
  const head = bytes.subarray(0, cut).toString('utf8');
  return [head, text.slice(head.length)];
}

/** Splits `text` into pieces of at most `maxBytes` UTF-8 bytes without cutting a character (a character wider than `maxBytes` is a piece of its own). */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > maxBytes) {
    let [head, tail] = splitAtBytes(rest, maxBytes);
    if (head === '') [head, tail] = [String.fromCodePoint(rest.codePointAt(0)!), rest.slice(rest.codePointAt(0)! > 0xffff ? 2 : 1)];
    pieces.push(head);
    rest = tail;
  }
  pieces.push(rest);
  return pieces;
}
