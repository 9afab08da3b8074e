import { compileTemplate, isTemplate, renderShellCommand, renderValue } from '../actions/render-template.ts';
import { templateMessage } from '../actions/resolve.ts';

/**
 * Jinja of an action chain, through the project's sandboxed facade (`render-template.ts`). Only
 * strings the pack author wrote in the chain file are compiled; the values they read (parameters,
 * vars, node results) are data: inserted as values, never compiled or evaluated again.
 */

/** A chain template failed: which value, in which node, and why. */
export class ChainRenderError extends Error {
  override name = 'ChainRenderError';
}

/** Names st2 offers that this bundle has no service for. */
const UNSUPPORTED: Record<string, string> = {
  st2kv: "the st2 datastore (st2kv) is not supported in chain files (a parameter default of the node's action may read it)",
};

/** How one template string is rendered: as a value, or as a shell command whose values go to the environment. */
type Mode = { kind: 'value' } | { kind: 'shell'; env: Record<string, string> };

function renderString(source: string, context: Record<string, unknown>, what: string, mode: Mode): unknown {
  try {
    // st2 also offers the results under `__results`; the sandbox refuses every `__` name, so say what to write instead.
    if (/\b__results\b/.test(source)) throw new Error('"__results" is not available here: read a node\'s result by its name ({{ node_name.stdout }})');
    const template = compileTemplate(source, what);
    for (const name of template.references) {
      if (Object.hasOwn(UNSUPPORTED, name)) throw new Error(`"${name}" is not available: ${UNSUPPORTED[name]}`);
      if (!Object.hasOwn(context, name)) throw new Error(`"${name}" is undefined (known: ${Object.keys(context).join(', ')})`);
    }
    if (mode.kind === 'value') return renderValue(template, context);
    const rendered = renderShellCommand(template, context);
    Object.assign(mode.env, rendered.env);
    return rendered.command;
  } catch (error) {
    throw new ChainRenderError(`${what} (template string=${JSON.stringify(source)}): ${templateMessage(error)}`);
  }
}

function renderDeep(value: unknown, context: Record<string, unknown>, what: string): unknown {
  if (isTemplate(value)) return renderString(value, context, what, { kind: 'value' });
  if (Array.isArray(value)) return value.map((item, i) => renderDeep(item, context, `${what}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderDeep(item, context, `${what}.${key}`)]));
  }
  return value;
}

/**
 * Renders every value of `mapping` (st2's `render_values`). A key in `shellKeys` holding a template
 * (the `cmd` of a local-shell-cmd action) is rendered shell-safely: interpolated values become
 * `"${ST2_ARG_x}"` references, returned in `env` for the child's environment, so a result that
 * contains shell syntax is still only data.
 * @throws ChainRenderError naming `label` and the key.
 */
export function renderMapping(
  mapping: Record<string, unknown>,
  context: Record<string, unknown>,
  label: string,
  shellKeys: readonly string[] = [],
): { values: Record<string, unknown>; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(mapping)) {
    const what = `${label} "${key}"`;
    values[key] = shellKeys.includes(key) && isTemplate(value) ? renderString(value, context, what, { kind: 'shell', env }) : renderDeep(value, context, what);
  }
  return { values, env };
}
