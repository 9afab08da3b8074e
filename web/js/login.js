// The API-key login: a key is checked against the API before the page keeps it (in sessionStorage, for this tab only).
import { api, storeKey } from './api.js';
import { el } from './dom.js';
import { describeError } from './format.js';

/** Shows the login in `root`; `onLoggedIn` runs once a key the API accepts is stored. `notice`: why the login is shown again. */
export function loginView(root, { onLoggedIn, notice }) {
  const input = el('input', {
    id: 'api-key',
    type: 'password',
    name: 'api-key',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'St2-Api-Key',
  });
  const message = el('p', { id: 'login-error', class: 'error', role: 'alert', hidden: !notice }, notice ?? '');
  const submit = el('button', { type: 'submit' }, 'Log in');
  const form = el(
    'form',
    { id: 'login', class: 'card login', novalidate: true },
    el('h1', {}, 'Log in'),
    el('label', { for: 'api-key' }, 'API key'),
    input,
    submit,
    message,
    el('p', { class: 'muted' }, 'Create one with ', el('code', {}, 'actionrunner apikey create'), '; it is shown once. The page keeps it for this tab only.'),
  );
  const refuse = (text) => {
    message.textContent = text;
    message.hidden = false;
    input.select();
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return refuse('Enter an API key.');
    submit.disabled = true;
    try {
      await api('GET', 'executions', { query: { limit: 1 }, key });
      storeKey(key);
      onLoggedIn();
    } catch (error) {
      if (error.status === 401) refuse(`API key refused: ${describeError(error)}`);
      else refuse(`Cannot check the key: ${describeError(error)}`);
    } finally {
      submit.disabled = false;
    }
  });
  root.replaceChildren(form);
  input.focus();
  return { stop() {} };
}
