// Builds elements with DOM APIs only: every string becomes a text node, so data (action output, parameters,
// error messages, all hostile) can never become markup. Nothing in web/ parses HTML (a unit test checks).

/**
 * An element: `attrs` are set with setAttribute (except `on*` listeners, given as functions, and `hidden`/
 * `disabled`/`value` properties); children are nodes or strings (as text), nested arrays flattened, null skipped.
 * @example el('a', { href: '#/x', class: 'link' }, 'open ', name)
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'hidden' || name === 'disabled' || name === 'value' || name === 'checked') node[name] = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends nodes and strings (as text) to `parent`. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Empties `parent` and fills it with `children`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A value as indented JSON in a <pre>, as text. */
export function jsonBlock(value, attrs = {}) {
  return el('pre', { class: 'json', ...attrs }, JSON.stringify(value ?? null, null, 2));
}
