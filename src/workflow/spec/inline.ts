/**
 * st2/orquesta inline parameters: `core.echo message=<% ctx().name %> count=3 text="a b"` and
 * `publish: a=<% result() %> b="x y"`. Same rules as orquesta's `utils/parameters.py`:
 * a value is a bracketed list, a double/single quoted string, a number, true/false/null,
 * or a whole YAQL (`<% %>`) / Jinja (`{{ }}`) expression (which may contain spaces).
 * Unquoted values (and quoted JSON objects) are JSON-decoded when they can be.
 */
const VARIATIONS = [
  String.raw`\[.*\]\s*`,
  String.raw`"[^"]*"\s*`,
  String.raw`'[^']*'\s*`,
  String.raw`[-]?\d*\.\d+`,
  String.raw`[-]?\d+`,
  '[Tt][Rr][Uu][Ee]',
  '[Ff][Aa][Ll][Ss][Ee]',
  'null',
  '<%.*?%>',
  '\\{\\{.*?\\}\\}',
];

const INLINE_PARAMS = new RegExp(String.raw`(\w+)=(${VARIATIONS.join('|')})`, 'g');
const IN_QUOTES = /"[^"]*"\s*/;
const IN_APOSTROPHES = /'[^']*'\s*/;

export function parseInlineParams(text: string): Array<[string, unknown]> {
  const params: Array<[string, unknown]> = [];
  if (!text) return params;
  for (const m of text.matchAll(INLINE_PARAMS)) {
    const key = m[1];
    let v = m[2].trim();
    const quotesInParam = IN_QUOTES.test(v) || IN_APOSTROPHES.test(v);
    v = v.replace(/^"/, '').replace(/"$/, '').replace(/^'/, '').replace(/'$/, '');
    let quotesInString = false;
    if (v !== '') {
      const curly = v[0] === '{' && v[v.length - 1] === '}';
      quotesInString = quotesInParam && !curly;
    }
    let value: unknown = v;
    if (!quotesInString) {
      const lower = v.toLowerCase();
      const candidate = lower === 'true' || lower === 'false' ? lower : v;
      try {
        value = JSON.parse(candidate);
      } catch {
        value = v;
      }
    }
    params.push([key, value]);
  }
  return params;
}
