/*
 * Places environment-variable references where a rendered shell command had value markers,
 * quoted to fit the POSIX sh quoting around each marker, so the shell expands the value
 * exactly once and never parses it:
 *   unquoted, inside $( ) or backticks: "${VAR}"; inside "...": ${VAR}; inside '...': '"${VAR}"'
 * Not handled (documented limits): here-documents (the quotes would be printed), a marker right
 * after a backslash (refused).
 */

type Quote = 'plain' | 'sub' | 'bt' | 'dq' | 'sq';

/** Replaces markers by variable references, tracking POSIX sh quoting (', ", \, $( ), backticks). */
export function quoteMarkers(text: string, nonce: string, varFor: (i: number) => string): string {
  const marker = new RegExp(`^\u0000${nonce}:(\\d+)\u0000`);
  const stack: { q: Quote; depth: number }[] = [{ q: 'plain', depth: 0 }];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const top = stack[stack.length - 1];
    const found = text[i] === '\u0000' ? marker.exec(text.slice(i)) : null;
    if (found) {
      const ref = `\${${varFor(Number(found[1]))}}`;
      out += top.q === 'dq' ? ref : top.q === 'sq' ? `'"${ref}"'` : `"${ref}"`;
      i += found[0].length;
      continue;
    }
    const ch = text[i];
    const two = text.slice(i, i + 2);
    if (top.q === 'sq') {
      if (ch === "'") stack.pop();
    } else if (ch === '\\') {
      if (text[i + 1] === '\u0000' && marker.test(text.slice(i + 1))) {
        throw new Error('a parameter cannot follow a backslash in a shell command');
      }
      out += two;
      i += 2;
      continue;
    } else if (two === '$(') {
      stack.push({ q: 'sub', depth: 0 });
      out += two;
      i += 2;
      continue;
    } else if (ch === '`') {
      if (top.q === 'bt') stack.pop();
      else stack.push({ q: 'bt', depth: 0 });
    } else if (top.q === 'dq') {
      if (ch === '"') stack.pop();
    } else if (ch === "'") {
      stack.push({ q: 'sq', depth: 0 });
    } else if (ch === '"') {
      stack.push({ q: 'dq', depth: 0 });
    } else if (top.q === 'sub' && ch === '(') {
      top.depth += 1;
    } else if (top.q === 'sub' && ch === ')') {
      if (top.depth === 0) stack.pop();
      else top.depth -= 1;
    }
    out += ch;
    i += 1;
  }
  return out;
}
