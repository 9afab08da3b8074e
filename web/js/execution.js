// One execution: status, timing, parameters, result, status log, a workflow's task tree, live output,
// cancel and re-run. Re-read every 1.5 s until it ends.
import { executions } from './api.js';
import { el, jsonBlock, replace } from './dom.js';
import { WORKFLOW_RUNNERS, describeError, formatElapsed, formatTime, hasEnded, taskRows } from './format.js';
import { statusBadge } from './list.js';
import { followOutput } from './output.js';

const POLL_MS = 1500;
/** How deep the tree reads nested workflows' tasks. */
const TREE_DEPTH = 4;

const link = (id, text) => el('a', { href: `#/executions/${encodeURIComponent(id)}` }, text ?? id);

/** The tasks of `execution` and, for each that is a workflow itself, its own tasks (each read with show_tasks). */
async function taskTree(tasks, depth, signal) {
  return Promise.all(
    taskRows(tasks ?? []).map(async (task) => {
      if (!task.hasTasks || depth >= TREE_DEPTH) return { task, children: [] };
      const nested = await executions.get(task.id, { signal });
      return { task, children: await taskTree(nested.tasks, depth + 1, signal) };
    }),
  );
}

function treeList(nodes) {
  return el(
    'ul',
    { class: 'tree' },
    nodes.map(({ task, children }) =>
      el(
        'li',
        { 'data-task': task.name, 'data-status': task.status },
        statusBadge(task.status),
        ' ',
        link(task.id, task.name),
        ' ',
        el('span', { class: 'muted' }, task.action),
        children.length ? treeList(children) : null,
      ),
    ),
  );
}

const definition = (rows) =>
  el(
    'dl',
    { class: 'facts' },
    rows.filter(([, value]) => value !== undefined && value !== null && value !== '').map(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]),
  );

/** Shows execution `id` in `root`; returns its stop(). */
export function executionView(root, id) {
  const controller = new AbortController();
  let timer;
  let output;
  let current;

  const title = el('h1', { id: 'exec-title' }, id);
  const status = el('span', { id: 'exec-status' });
  const message = el('p', { id: 'exec-message', class: 'error', role: 'alert', hidden: true });
  const cancel = el('button', { id: 'cancel', type: 'button', disabled: true }, 'Cancel');
  const reRun = el('button', { id: 're-run', type: 'button', disabled: true }, 'Re-run');
  const facts = el('div', { id: 'timing' });
  const parameters = el('div', { id: 'parameters' });
  const result = el('div', { id: 'result' });
  const log = el('tbody', { id: 'status-log' });
  const tree = el('div', { id: 'tasks' });
  const treeSection = el('section', { hidden: true }, el('h2', {}, 'Tasks'), tree);
  const outputState = el('span', { id: 'output-state', class: 'muted' });
  const pre = el('pre', { id: 'output', class: 'output', tabindex: '0' });

  const fail = (text) => {
    message.textContent = text;
    message.hidden = false;
  };

  const render = (doc) => {
    current = doc;
    replace(title, doc.action, ' ', el('span', { class: 'muted mono' }, doc.id));
    replace(status, statusBadge(doc.status));
    status.dataset.status = doc.status;
    cancel.disabled = hasEnded(doc) || doc.status === 'canceling';
    reRun.disabled = false;
    const context = doc.context ?? {};
    replace(
      facts,
      definition([
        ['Status', doc.status],
        ['Started', formatTime(doc.start_timestamp)],
        ['Ended', hasEnded(doc) ? formatTime(doc.end_timestamp) : 'not yet'],
        ['Elapsed', formatElapsed(doc.elapsed_seconds)],
        ['Attempt', doc.attempt],
        ['Runner', doc.runner],
        ['User', typeof context.user === 'string' ? context.user : undefined],
        ['Task of', context.parent ? [link(context.parent), context.task ? ` (task ${context.task})` : ''] : undefined],
        ['Re-run of', context.reRunOf ? link(context.reRunOf) : undefined],
      ]),
    );
    replace(parameters, jsonBlock(doc.parameters));
    replace(result, doc.error ? el('pre', { class: 'error', id: 'exec-error' }, doc.error) : null, jsonBlock(doc.result));
    replace(
      log,
      (doc.log ?? []).map((entry) =>
        el('tr', {}, el('td', {}, statusBadge(entry.status)), el('td', {}, formatTime(entry.timestamp)), el('td', {}, entry.reason ?? '')),
      ),
    );
  };

  const refresh = async () => {
    try {
      const doc = await executions.get(id, { signal: controller.signal });
      render(doc);
      // Only a workflow has tasks (the API lists an empty set for any execution asked with show_tasks).
      if (doc.tasks && (WORKFLOW_RUNNERS.includes(doc.runner) || doc.tasks.length)) {
        treeSection.hidden = false;
        const nodes = await taskTree(doc.tasks, 1, controller.signal);
        replace(tree, nodes.length ? treeList(nodes) : el('p', { class: 'muted' }, 'No task has started.'));
      }
      if (!output) output = followOutput(id, pre, outputState);
      if (hasEnded(doc)) return;
    } catch (error) {
      if (controller.signal.aborted) return;
      fail(`Cannot read execution ${id}: ${describeError(error)}`);
      if (error.status === 404 || error.status === 401 || error.status === 400) return;
    }
    if (!controller.signal.aborted) timer = setTimeout(refresh, POLL_MS);
  };

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      render(await executions.cancel(id));
      clearTimeout(timer);
      void refresh();
    } catch (error) {
      fail(`Cannot cancel: ${describeError(error)}`);
      if (current) render(current);
    }
  });
  reRun.addEventListener('click', async () => {
    reRun.disabled = true;
    try {
      const again = await executions.reRun(id);
      location.hash = `#/executions/${encodeURIComponent(again.id)}`;
    } catch (error) {
      fail(`Cannot re-run: ${describeError(error)}`);
      reRun.disabled = false;
    }
  });

  root.replaceChildren(
    el('p', {}, el('a', { href: '#/' }, '← Executions')),
    title,
    el('div', { class: 'toolbar' }, status, cancel, reRun),
    message,
    el('section', {}, el('h2', {}, 'Timing'), facts),
    el('section', {}, el('h2', {}, 'Parameters'), parameters),
    el('section', {}, el('h2', {}, 'Result'), result),
    treeSection,
    el('section', {}, el('h2', {}, 'Output ', outputState), pre),
    el(
      'section',
      {},
      el('h2', {}, 'Status log'),
      el('table', { class: 'log' }, el('thead', {}, el('tr', {}, el('th', {}, 'Status'), el('th', {}, 'At'), el('th', {}, 'Reason'))), log),
    ),
  );
  void refresh();
  return {
    stop() {
      controller.abort();
      clearTimeout(timer);
      output?.stop();
    },
  };
}
