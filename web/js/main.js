// The page's entry: a hash router (#/ the list, #/executions/<id> one execution) behind the API-key login.
import { forgetKey, onUnauthorized, storedKey } from './api.js';
import { executionView } from './execution.js';
import { parseFilters } from './format.js';
import { listView } from './list.js';
import { loginView } from './login.js';

const app = document.getElementById('app');
const logout = document.getElementById('logout');
let view;

function show(notice) {
  view?.stop();
  logout.hidden = !storedKey();
  if (!storedKey()) {
    view = loginView(app, { onLoggedIn: () => show(), notice });
    return;
  }
  const hash = location.hash || '#/';
  const one = /^#\/executions\/([^/?#]+)$/.exec(hash);
  if (one) view = executionView(app, decodeURIComponent(one[1]));
  else view = listView(app, parseFilters(hash.split('?')[1] ?? ''));
}

onUnauthorized((error) => {
  forgetKey();
  show(`Logged out: the API refused the key (${error.faultstring}).`);
});
logout.addEventListener('click', () => {
  forgetKey();
  show();
});
window.addEventListener('hashchange', () => show());
show();
