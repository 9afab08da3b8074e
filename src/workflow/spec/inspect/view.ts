/**
 * A lenient view of a workflow document for inspection: whatever the shape errors, the tasks,
 * their actions (inline parameters moved to the input, as orquesta does) and transitions are
 * read where they can be, so that every kind of problem is reported in one pass.
 */
import { isObject } from '../fields.ts';
import { parseInlineParams } from '../inline.ts';

export interface TransitionView {
  when?: unknown;
  /** The publish list as one-key mappings (an inline `a=1 b=2` string already split). */
  publish?: unknown;
  /** Task names (a comma-separated string already split). */
  do: string[];
}

export interface TaskView {
  name: string;
  raw: Record<string, unknown>;
  /** The action reference, without its inline parameters. */
  action?: unknown;
  /** The input: the `input` property, or the action's inline parameters. */
  input?: unknown;
  with?: Record<string, unknown>;
  next: TransitionView[];
  join: boolean;
}

export function taskViews(doc: Record<string, unknown>): Record<string, TaskView> {
  const views: Record<string, TaskView> = {};
  if (!isObject(doc.tasks)) return views;
  for (const [name, raw] of Object.entries(doc.tasks)) views[name] = taskView(name, isObject(raw) ? raw : {});
  return views;
}

/** The tasks' actions and inputs, for st2's inspection of task contents. */
export function taskActions(doc: Record<string, unknown>): Array<{ name: string; action?: unknown; input?: unknown }> {
  return Object.values(taskViews(doc)).map(({ name, action, input }) => ({ name, action, input }));
}

function taskView(name: string, raw: Record<string, unknown>): TaskView {
  const view: TaskView = { name, raw, action: raw.action, input: raw.input, next: [], join: raw.join !== undefined && raw.join !== null };
  if (typeof raw.action === 'string') {
    const inline = parseInlineParams(raw.action);
    if (inline.length > 0) {
      view.action = raw.action.slice(0, raw.action.indexOf(' '));
      view.input = Object.fromEntries(inline);
    }
  }
  if (typeof raw.with === 'string') view.with = { items: raw.with };
  else if (isObject(raw.with)) view.with = raw.with;
  if (Array.isArray(raw.next)) view.next = raw.next.map((t) => transitionView(isObject(t) ? t : {}));
  return view;
}

function transitionView(raw: Record<string, unknown>): TransitionView {
  const publish = typeof raw.publish === 'string' ? parseInlineParams(raw.publish).map(([k, v]) => ({ [k]: v })) : raw.publish;
  let names: string[] = [];
  if (typeof raw.do === 'string') names = raw.do.split(',').map((s) => s.trim());
  else if (Array.isArray(raw.do)) names = raw.do.filter((s): s is string => typeof s === 'string');
  return { when: raw.when, publish, do: names.filter((s) => s !== '') };
}
