// Pure helpers of the page (no DOM): what the unit tests cover without a browser.

/** Runners whose executions have tasks (the page lists them as a tree). */
export const WORKFLOW_RUNNERS = ['orquesta', 'action-chain'];

/** An execution (or listing) that ended: the API sets `end_timestamp` exactly when the status becomes terminal. */
export const hasEnded = (execution) => Boolean(execution?.end_timestamp);

/**
 * The statuses the API's `status` filter accepts, from its OpenAPI document (the schemas it validates with):
 * the page keeps no list of its own. Empty when the document does not say.
 */
export function statusesFromOpenApi(document) {
  const parameters = document?.paths?.['/v1/executions']?.get?.parameters;
  const status = Array.isArray(parameters) ? parameters.find((parameter) => parameter?.name === 'status') : undefined;
  const values = status?.schema?.enum;
  return Array.isArray(values) ? values.filter((value) => typeof value === 'string') : [];
}

/** `1.2 s`, `3m 04s`, `2h 05m` from seconds. */
export function formatElapsed(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const s = Math.floor(seconds);
  const pad = (n) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/** A timestamp as local date and time; the input unchanged when it is not one. */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** The list filters from a location hash's query (`#/?action=core.local&status=running`): only known keys, valid values. */
export function parseFilters(search) {
  const params = new URLSearchParams(search);
  const filters = {};
  const action = params.get('action')?.trim();
  if (action) filters.action = action;
  // The API checks the status (a wrong one gets its 400, with the statuses it accepts).
  const status = params.get('status')?.trim();
  if (status) filters.status = status;
  return filters;
}

/** The hash of the list with these filters. */
export function filtersHash(filters) {
  const params = new URLSearchParams();
  if (filters.action) params.set('action', filters.action);
  if (filters.status) params.set('status', filters.status);
  const query = params.toString();
  return query ? `#/?${query}` : '#/';
}

/** What the page shows of an API error: its faultstring, else the HTTP status. */
export function describeError(error) {
  if (error && typeof error.faultstring === 'string' && error.faultstring) return error.faultstring;
  if (error && typeof error.status === 'number') return `the API answered ${error.status}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A workflow's tasks as shown: in the order they started, each with its task name (`context.task`, the
 * action when it has none) and, with `item_index`, the item it ran for.
 */
export function taskRows(tasks) {
  return [...tasks]
    .sort((a, b) => String(a.start_timestamp).localeCompare(String(b.start_timestamp)) || String(a.id).localeCompare(String(b.id)))
    .map((task) => {
      const context = task.context ?? {};
      const name = typeof context.task === 'string' && context.task ? context.task : task.action;
      const item = typeof context.itemIndex === 'number' ? ` [${context.itemIndex}]` : '';
      return {
        id: task.id,
        name: `${name}${item}`,
        action: task.action,
        status: task.status,
        runner: task.runner,
        hasTasks: WORKFLOW_RUNNERS.includes(task.runner),
      };
    });
}
