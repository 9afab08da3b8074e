// The executions list: newest first, re-read every 2 s (statuses change in place), filtered by action and status.
import { actions, executions, openApi } from './api.js';
import { el, replace } from './dom.js';
import { describeError, filtersHash, formatElapsed, formatTime, statusesFromOpenApi } from './format.js';

const POLL_MS = 2000;

export function statusBadge(status, attrs = {}) {
  return el('span', { class: `status status-${String(status).replace(/[^a-z]/g, '')}`, ...attrs }, status);
}

function row(execution) {
  const context = execution.context ?? {};
  return el(
    'tr',
    { 'data-id': execution.id, 'data-status': execution.status },
    el('td', {}, statusBadge(execution.status)),
    el(
      'td',
      {},
      el('a', { href: `#/executions/${encodeURIComponent(execution.id)}`, class: 'action' }, execution.action),
      context.parent ? el('span', { class: 'muted task-of' }, ` task ${context.task ?? ''}`) : null,
    ),
    el('td', { class: 'mono' }, execution.id),
    el('td', {}, formatTime(execution.start_timestamp)),
    el('td', {}, formatElapsed(execution.elapsed_seconds)),
    el('td', {}, typeof context.user === 'string' ? context.user : ''),
  );
}

/** Shows the list in `root` with `filters` ({ action, status }); returns its stop(). */
export function listView(root, filters) {
  const controller = new AbortController();
  let timer;
  const actionInput = el('input', { id: 'filter-action', name: 'action', list: 'action-refs', placeholder: 'any action', value: filters.action ?? '' });
  const refs = el('datalist', { id: 'action-refs' });
  const statusSelect = el(
    'select',
    { id: 'filter-status', name: 'status' },
    el('option', { value: '' }, 'any status'),
    filters.status ? el('option', { value: filters.status, selected: true }, filters.status) : null,
  );
  const apply = (event) => {
    event?.preventDefault();
    location.hash = filtersHash({ action: actionInput.value.trim(), status: statusSelect.value });
  };
  statusSelect.addEventListener('change', apply);
  const form = el(
    'form',
    { id: 'filters', class: 'filters', onsubmit: apply },
    el('label', { for: 'filter-action' }, 'Action'),
    actionInput,
    refs,
    el('label', { for: 'filter-status' }, 'Status'),
    statusSelect,
    el('button', { type: 'submit' }, 'Filter'),
    filters.action || filters.status ? el('a', { href: '#/', class: 'clear' }, 'clear') : null,
  );
  const body = el('tbody', { id: 'executions' });
  const state = el('p', { id: 'list-state', class: 'muted', role: 'status' }, 'Loading…');
  root.replaceChildren(
    el('h1', {}, 'Executions'),
    form,
    el(
      'table',
      { class: 'executions' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Status', 'Action', 'Id', 'Started', 'Elapsed', 'User'].map((name) => el('th', {}, name)),
        ),
      ),
      body,
    ),
    state,
  );

  actions
    .list({ signal: controller.signal })
    .then((list) =>
      replace(
        refs,
        list.map((action) => el('option', { value: action.ref })),
      ),
    )
    .catch(() => undefined); // The list of refs only helps typing; the filter works without it.
  openApi({ signal: controller.signal })
    .then((document) =>
      replace(
        statusSelect,
        el('option', { value: '' }, 'any status'),
        statusesFromOpenApi(document).map((status) => el('option', { value: status, selected: status === filters.status }, status)),
      ),
    )
    .catch(() => undefined); // Without the document, the select offers the status filtered by (if any) and "any".

  const refresh = async () => {
    try {
      const page = await executions.list(filters, { signal: controller.signal });
      replace(body, page.executions.map(row));
      state.classList.remove('error');
      state.textContent = page.executions.length
        ? `${page.executions.length} shown, newest first; updated ${new Date().toLocaleTimeString()}`
        : 'No executions match.';
    } catch (error) {
      if (controller.signal.aborted) return;
      state.classList.add('error');
      state.textContent = `Cannot list executions: ${describeError(error)}`;
    }
    if (!controller.signal.aborted) timer = setTimeout(refresh, POLL_MS);
  };
  void refresh();
  return {
    stop() {
      controller.abort();
      clearTimeout(timer);
    },
  };
}
