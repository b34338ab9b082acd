// Workers page: every worker that registered or claimed, with its state, current run, device and memory.

import { api, isPaused, onPause } from '../api.js';
import { h, clear, fmtAgo, fmtDate } from '../dom.js';
import { pageHeader, loading, errorState, emptyState } from '../widgets.js';

// Polled, not streamed: "lost" is the passing of time without news, which no event announces.
// A hidden tab stops polling and refreshes as soon as it is shown again.
export const REFRESH_MS = 2000;

// Each worker state drawn with the badge colour of the run status it resembles.
const STATE_BADGE = { idle: 'queued', training: 'running', lost: 'failed' };
const GIB = 1024 ** 3;
// One line, cut with an ellipsis (the full text is in the cell's title).
const ONE_LINE = { maxWidth: '200px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' };
const NO_WRAP = { whiteSpace: 'nowrap' };

/** Bytes -> "79.6 GiB"; null -> "—". */
export function fmtBytes(bytes) {
  if (bytes === null || bytes === undefined) return '—';
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

function stateBadge(state) {
  return h('span', { class: `badge badge-${STATE_BADGE[state] || 'queued'}`, dataset: { state } }, state);
}

function row(worker) {
  const run = worker.current_run_id === null
    ? h('span', { class: 'muted' }, '—')
    : h('a', { href: `#/run/${worker.current_run_id}` }, worker.current_run_name || `run ${worker.current_run_id}`);
  const memory = worker.memory_total_bytes === null
    ? ['—']
    : [h('div', {}, fmtBytes(worker.memory_total_bytes)), h('div', { class: 'muted' }, `${fmtBytes(worker.memory_free_bytes)} free`)];
  const versions = [
    h('div', {}, worker.version ? `v${worker.version}` : '—'),
    worker.torch_version ? h('div', { class: 'muted', style: NO_WRAP }, `torch ${worker.torch_version}`) : null,
    worker.cuda_version ? h('div', { class: 'muted', style: NO_WRAP }, `CUDA ${worker.cuda_version}`) : null,
  ];
  return h('tr', { dataset: { worker: worker.name, state: worker.state } },
    h('td', { class: 'name-cell', title: `${worker.name} on ${worker.host || '?'}` },
      h('div', { style: ONE_LINE }, worker.name), h('div', { class: 'muted', style: ONE_LINE }, worker.host || '—')),
    h('td', {}, stateBadge(worker.state)),
    h('td', {}, run),
    h('td', {}, h('div', {}, worker.device || '—'), h('div', { class: 'muted', style: NO_WRAP }, worker.device_name || '')),
    h('td', { class: 'num' }, ...memory),
    h('td', {}, ...versions),
    h('td', { title: fmtDate(worker.last_seen) }, fmtAgo(worker.last_seen)));
}

/** Mount the workers page; returns its cleanup. */
export function mount(root) {
  let alive = true;
  let timer = null;
  const summary = h('span', { id: 'workers-summary' });
  root.append(pageHeader('Workers', summary));
  const body = h('div', { class: 'card table-card' }, loading('Loading workers…'));
  root.append(body);
  const tbody = h('tbody', { id: 'workers-body' });
  const table = h('table', { class: 'data', id: 'workers-table' },
    h('thead', {}, h('tr', {},
      h('th', {}, 'Worker · host'), h('th', {}, 'State'), h('th', {}, 'Current run'), h('th', {}, 'Device'),
      h('th', { class: 'num' }, 'Memory'), h('th', {}, 'Versions'), h('th', {}, 'Last seen'))),
    tbody);

  async function refresh() {
    clearTimeout(timer);
    try {
      const workers = await api.workers();
      if (!alive) return;
      const counts = { idle: 0, training: 0, lost: 0 };
      for (const w of workers) counts[w.state] = (counts[w.state] || 0) + 1;
      summary.textContent = `${counts.training} training · ${counts.idle} idle · ${counts.lost} lost`;
      if (!workers.length) {
        clear(body, emptyState('No worker has registered yet',
          'Start one on any host that can reach this backend: python -m worker --server URL (with the token, when one is set).'));
      } else {
        clear(tbody, ...workers.map(row));
        if (!body.contains(table)) clear(body, h('div', { class: 'table-wrap' }, table));
      }
    } catch (err) {
      if (alive) clear(body, errorState(`Could not load the workers: ${err.message}`));
    }
    if (alive && !isPaused()) timer = setTimeout(refresh, REFRESH_MS);
  }
  const stopFollowing = onPause((paused) => {
    if (!alive) return;
    if (paused) clearTimeout(timer);
    else refresh();
  });
  refresh();

  return () => {
    alive = false;
    clearTimeout(timer);
    stopFollowing();
  };
}
