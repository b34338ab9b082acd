// The dashboard's entry point: one state object, a hash router, and render() that mounts the page.

import { api, openStream, onConnection, isLive } from './api.js';
import { h, clear } from './dom.js';
import { loadPlotly } from './charts.js';
import { loadMeta } from './meta.js';
import * as runsPage from './pages/runs.js';
import * as launchPage from './pages/launch.js';
import * as runPage from './pages/run.js';
import * as comparePage from './pages/compare.js';
import * as leaderboardPage from './pages/leaderboard.js';
import * as notFoundPage from './pages/notfound.js';
import * as workersPage from './pages/workers.js';

const PAGES = {
  runs: runsPage,
  launch: launchPage,
  run: runPage,
  compare: comparePage,
  leaderboard: leaderboardPage,
  notfound: notFoundPage,
  workers: workersPage,
};

/** Everything the app keeps between pages: the route, cached catalogues, the mounted page. */
export const state = {
  route: { page: 'runs', arg: null, params: new URLSearchParams() },
  architectures: null,   // promise of GET /api/architectures, fetched once
  datasets: null,        // promise of GET /api/datasets, fetched once
  unmount: null,         // cleanup of the mounted page (closes its EventSources)
};

/** "#/run/12?x=1" -> {page: 'run', arg: '12', params, path: 'run/12'}; "" -> runs; unknown -> notfound. */
export function parseHash(hash) {
  const text = hash.replace(/^#\/?/, '');
  const [path, search = ''] = text.split('?');
  const [page = 'runs', arg = null] = path.split('/').filter(Boolean);
  const known = Object.hasOwn(PAGES, page) && page !== 'notfound';
  return { page: known ? page : 'notfound', arg, params: new URLSearchParams(search), path };
}

/** Go to a hash route ("#/run/3"). */
export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

/** The contestants, fetched once per page load. */
export function architectures() {
  state.architectures ??= api.architectures().catch((err) => {
    state.architectures = null;
    throw err;
  });
  return state.architectures;
}

/** The datasets, fetched once per page load. */
export function datasets() {
  state.datasets ??= api.datasets().catch((err) => {
    state.datasets = null;
    throw err;
  });
  return state.datasets;
}

/** Unmount the current page and mount the one the route names. */
export function render() {
  state.route = parseHash(location.hash);
  if (state.unmount) {
    try {
      state.unmount();
    } catch (err) {
      console.error(err);
    }
  }
  state.unmount = null;
  const root = clear(document.getElementById('app'));
  root.dataset.page = state.route.page;
  for (const tab of document.querySelectorAll('.tab')) {
    const active = tab.dataset.page === state.route.page || (state.route.page === 'run' && tab.dataset.page === 'runs');
    tab.classList.toggle('active', active);
    if (active) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  const page = PAGES[state.route.page];
  state.unmount = page.mount(root, { route: state.route, navigate, architectures, datasets }) || null;
  showHealth();
}

/** Show the backend's health and worker count in the top bar. */
async function showHealth() {
  const el = document.getElementById('health');
  try {
    const health = await api.health();
    if (!isLive()) return;   // an answer from before the streams were cut: keep saying "reconnecting"
    const workers = health.workers ?? 0;
    el.replaceChildren(
      h('a', { href: '#/workers', id: 'health-workers', title: 'Show the workers' },
        h('span', { class: `dot ${workers > 0 ? 'dot-ok' : 'dot-idle'}` }),
        ` ${workers} worker${workers === 1 ? '' : 's'}`),
      h('span', { class: 'muted' }, ` · v${health.version}`));
    el.title = `Backend ${health.status}, database ${health.database}`;
  } catch {
    el.replaceChildren(h('span', { class: 'dot dot-down' }), 'backend unreachable');
  }
}

/** While the event streams are cut off: a banner under the top bar and "reconnecting" in it. */
function showConnection(live) {
  let banner = document.getElementById('connection-banner');
  if (!banner) {
    banner = h('div', { id: 'connection-banner', class: 'connection-banner', role: 'status', hidden: true },
      h('span', { class: 'dot dot-down' }), 'Reconnecting to the backend… live updates and clocks are paused.');
    document.querySelector('.topbar').after(banner);
  }
  banner.hidden = live;
  document.body.classList.toggle('reconnecting', !live);
  if (live) showHealth();
  else document.getElementById('health').replaceChildren(h('span', { class: 'dot dot-down' }), 'reconnecting…');
}

// Every page follows the all-runs stream (shared by the tabs), so each shows when the backend is gone.
openStream('/api/events', { reconnected: showHealth });
onConnection(showConnection);

window.addEventListener('hashchange', render);
if (!location.hash) history.replaceState(null, '', '#/runs');
// The statuses and groups the pages use come from GET /api/meta; a page mounts once they are here
// (or, with the backend down, at once: its own requests then show the error).
loadMeta().catch((err) => console.error('GET /api/meta failed', err)).finally(render);
// Parse the chart library while the user reads the first page, so charts draw at once later.
(window.requestIdleCallback || ((fn) => setTimeout(fn, 500)))(() => loadPlotly().catch(() => {}), { timeout: 3000 });
