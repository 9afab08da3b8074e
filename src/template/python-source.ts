/*
 * Python-Jinja string literals in nunjucks. Jinja decodes a literal as Python does
 * ("unicode-escape"): `"\d+"` stays `\d+` (an unknown escape keeps its backslash), `"\x41"` is
 * `A`, `"\u00e9"` is `é`. nunjucks knows only \n, \t, \r and drops any other backslash (`d+`),
 * so regexes written for st2 (`regex_match(x, "\d+")`) broke. Each literal in template code is
 * decoded here and written back in the spelling nunjucks reads as that same text.
 *
 * The decoded text is a string value like any other: the sandbox judges what a template does
 * with it (`x["\x63onstructor"]` is refused at run time as `x["constructor"]` is).
 */

/** A literal Jinja (Python) could not decode: a truncated \x, \u or \U escape, or \N{...}. */
export class PythonLiteralError extends Error {
  override name = 'TemplateSyntaxError';
}

const SIMPLE: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The text of a Python string literal's body (between the quotes), escapes decoded. */
export function decodePythonString(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1] as string;
    if (Object.hasOwn(SIMPLE, next)) {
      out += SIMPLE[next];
      i += 1;
    } else if (/[0-7]/.test(next)) {
      const digits = (/^[0-7]{1,3}/.exec(body.slice(i + 1)) as RegExpExecArray)[0];
      out += String.fromCodePoint(parseInt(digits, 8));
      i += digits.length;
    } else if (Object.hasOwn(HEX_LENGTH, next)) {
      const length = HEX_LENGTH[next] as number;
      const digits = body.slice(i + 2, i + 2 + length);
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits))
        throw new PythonLiteralError(`truncated \\${next}${'X'.repeat(length)} escape in a string literal`);
      const code = parseInt(digits, 16);
      if (code > 0x10ffff) throw new PythonLiteralError(`illegal Unicode character \\${next}${digits} in a string literal`);
      out += String.fromCodePoint(code);
      i += 1 + length;
    } else if (next === 'N') {
      throw new PythonLiteralError('\\N{...} escapes are not supported in string literals');
    } else {
      // Python keeps an unknown escape as it is written.
      out += ch;
    }
  }
  return out;
}

/** `text` as a double-quoted literal nunjucks' lexer reads back as exactly `text`. */
function nunjucksLiteral(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** Where the string literal opening at `start` ends (after its closing quote, or at the end of code). */
function stringLiteralEnd(code: string, start: number): number {
  const quote = code[start];
  let k = start + 1;
  while (k < code.length && code[k] !== quote) k += code[k] === '\\' ? 2 : 1;
  return Math.min(k + 1, code.length);
}

/**
 * Expression code (the inside of `{{ }}` or `{% %}`) with each Python string literal rewritten
 * for nunjucks (see the top of this file); `rewrite` is applied to the code between literals.
 * An unterminated literal is left as is, for nunjucks to report.
 */
export function pythonCode(code: string, rewrite: (bare: string) => string = (bare) => bare): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    if (code[i] === '"' || code[i] === "'") {
      const end = stringLiteralEnd(code, i);
      const closed = end - i >= 2 && code[end - 1] === code[i] && code[end - 2] !== '\\';
      out += closed ? nunjucksLiteral(decodePythonString(code.slice(i + 1, end - 1))) : code.slice(i, end);
      i = end;
    } else {
      let k = i;
      while (k < code.length && code[k] !== '"' && code[k] !== "'") k++;
      out += rewrite(code.slice(i, k));
      i = k;
    }
  }
  return out;
}

const TAGS = /(\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\})|(\{\{|\{%)([\s\S]*?)(\}\}|%\})/g;

/** A whole template with pythonCode applied to the code of each `{{ }}` and `{% %}`; raw blocks are left alone. */
export function pythonTemplate(text: string, rewrite?: (bare: string) => string): string {
  return text.replace(TAGS, (all, raw: string | undefined, open: string, code: string, close: string) =>
    raw ? all : open + pythonCode(code, rewrite) + close,
  );
}
