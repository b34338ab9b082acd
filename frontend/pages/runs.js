// Runs page: every run, newest first, filtered server-side and kept live by the /api/events stream.

import { api, openStream, isLive } from '../api.js';
import { h, clear, fmtInt, fmtPct, fmtDuration, fmtDate } from '../dom.js';
import {
  statusBadge, progressBar, pageHeader, emptyState, loading, errorState, toast,
  cancelRun, cloneRun, deleteRun, isStale, ACTIVE_STATUSES,
} from '../widgets.js';

const STATUSES = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'];
const PAGE_LIMIT = 1000;
const FIRST_SCREEN_ROWS = 100;   // attached at once; the rest follow in chunks, one per frame
const ROWS_PER_FRAME = 300;
// checkbox, id, name (takes the rest), contestant, dataset, status, progress, best val, test, params, duration, tags, actions
const COLUMN_WIDTHS = [36, 56, null, 96, 84, 112, 176, 84, 76, 80, 80, 112, 150];

/** Whether a run belongs in the table under the current filters. */
function matches(run, filters) {
  if (filters.status && run.status !== filters.status) return false;
  if (filters.architecture && run.architecture !== filters.architecture) return false;
  if (filters.tag && !(run.tags || []).includes(filters.tag)) return false;
  return true;
}

/** Mount the runs page into `root`; returns its cleanup. */
export function mount(root, { route, architectures }) {
  const filters = {
    status: route.params.get('status') || '',
    architecture: route.params.get('architecture') || '',
    tag: route.params.get('tag') || '',
  };
  const rows = new Map();        // run id -> {run, tr, bar, durationCell, receivedAt}
  const selected = new Set();
  let total = 0;
  let loaded = false;
  let pending = [];              // events that arrived before the list
  let fetchToken = 0;

  // ---- header and toolbar ----
  const countLabel = h('span', { class: 'count-pill' });
  const compareButton = h('button', { class: 'btn', disabled: true, onclick: openCompare, 'data-testid': 'compare-selected' }, 'Compare');
  root.append(pageHeader('Runs', countLabel, [compareButton, h('a', { class: 'btn btn-primary', href: '#/launch' }, 'New run')]));

  const statusSelect = h('select', { 'aria-label': 'Filter by status', name: 'status' },
    h('option', { value: '' }, 'All statuses'), STATUSES.map((s) => h('option', { value: s }, s)));
  statusSelect.value = filters.status;
  const contestantSelect = h('select', { 'aria-label': 'Filter by contestant', name: 'architecture' }, h('option', { value: '' }, 'All contestants'));
  if (filters.architecture) contestantSelect.append(h('option', { value: filters.architecture }, filters.architecture));
  contestantSelect.value = filters.architecture;
  const tagInput = h('input', { type: 'search', placeholder: 'Filter by tag', 'aria-label': 'Filter by tag', name: 'tag', value: filters.tag });
  const clearButton = h('button', { class: 'btn btn-ghost', onclick: clearFilters }, 'Clear filters');
  root.append(h('div', { class: 'toolbar' }, statusSelect, contestantSelect, tagInput, clearButton));

  architectures().then((list) => {
    clear(contestantSelect, h('option', { value: '' }, 'All contestants'),
      list.map((a) => h('option', { value: a.name }, a.title)));
    contestantSelect.value = filters.architecture;
  }).catch(() => {});

  let tagTimer = null;
  statusSelect.addEventListener('change', () => setFilter('status', statusSelect.value));
  contestantSelect.addEventListener('change', () => setFilter('architecture', contestantSelect.value));
  tagInput.addEventListener('input', () => {
    clearTimeout(tagTimer);
    tagTimer = setTimeout(() => setFilter('tag', tagInput.value.trim()), 300);
  });

  // ---- table ----
  const headerCheckbox = h('input', { type: 'checkbox', 'aria-label': 'Select all runs', onchange: selectAll });
  const thead = h('thead', {}, h('tr', {},
    h('th', {}, headerCheckbox), h('th', { class: 'num' }, 'ID'), h('th', {}, 'Name'), h('th', {}, 'Contestant'),
    h('th', {}, 'Dataset'), h('th', {}, 'Status'), h('th', {}, 'Progress'), h('th', { class: 'num', title: 'Best validation accuracy' }, 'Best val'),
    h('th', { class: 'num', title: 'Test accuracy' }, 'Test'), h('th', { class: 'num' }, 'Params'), h('th', { class: 'num' }, 'Duration'),
    h('th', {}, 'Tags'), h('th', {}, '')));
  const tbody = h('tbody', { onclick: onTableClick, onchange: onTableChange });
  // fixed column widths: the browser lays out 1,000 rows without measuring every cell
  const colgroup = h('colgroup', {}, COLUMN_WIDTHS.map((width) => h('col', { style: width ? { width: `${width}px` } : {} })));
  const table = h('table', { class: 'data runs-table', id: 'runs-table' }, colgroup, thead, tbody);
  const body = h('div', { class: 'card table-card' }, loading('Loading runs…'));
  root.append(body);

  // ---- live updates: open the stream first, apply what it says once the list is in ----
  const stream = openStream('/api/events', {
    status: (run) => (loaded ? applyStatus(run) : pending.push(['status', run])),
    progress: (p) => (loaded ? applyProgress(p) : pending.push(['progress', p])),
    deleted: (d) => (loaded ? removeRow(d.id) : pending.push(['deleted', d])),
    reconnected: () => load(),   // events may have been lost meanwhile: read the list again
  });
  const ticker = setInterval(tickDurations, 1000);

  load();

  return () => {
    stream.close();
    clearInterval(ticker);
    clearTimeout(tagTimer);
  };

  // ---- behaviour ----
  async function load() {
    const token = ++fetchToken;
    loaded = false;
    const t0 = performance.now();
    let reply;
    try {
      reply = await api.listRuns({ ...filters, limit: PAGE_LIMIT });
    } catch (err) {
      if (token === fetchToken) clear(body, errorState(`Could not load runs: ${err.message}`));
      return;
    }
    if (token !== fetchToken) return;
    const t1 = performance.now();
    renderTable(reply.data);
    total = reply.count;
    const t2 = performance.now();
    void table.offsetHeight;  // force layout so the timing includes it
    const t3 = performance.now();
    loaded = true;
    const queued = pending;
    pending = [];
    for (const [type, data] of queued) {
      if (type === 'status') applyStatus(data);
      else if (type === 'progress') applyProgress(data);
      else removeRow(data.id);
    }
    updateCount();
    const timings = { rows: reply.data.length, fetch_ms: t1 - t0, build_ms: t2 - t1, layout_ms: t3 - t2 };
    requestAnimationFrame(() => requestAnimationFrame(() => {
      timings.paint_ms = performance.now() - t1;
      window.__renderTimings = window.__renderTimings || {};
      window.__renderTimings.runs = timings;
      attachRemainingRows(token, reply.data.slice(FIRST_SCREEN_ROWS), () => {
        timings.complete_ms = performance.now() - t1;
        console.debug('runs table timings', timings);
      });
    }));
  }

  // Every row is built (so live events always find theirs), but only the first screen is laid out
  // before the first paint; the rest are attached a chunk per frame.
  function renderTable(runs) {
    rows.clear();
    clear(tbody);
    const fragment = document.createDocumentFragment();
    runs.forEach((run, index) => {
      const { tr } = buildRow(run);
      if (index < FIRST_SCREEN_ROWS) fragment.append(tr);
    });
    tbody.append(fragment);
    showTableOrEmpty();
  }

  function attachRemainingRows(token, runs, done) {
    let next = 0;
    const step = () => {
      if (token !== fetchToken) return;  // a newer load replaced this table
      const fragment = document.createDocumentFragment();
      for (const run of runs.slice(next, next + ROWS_PER_FRAME)) {
        const entry = rows.get(run.id);
        if (entry && !entry.tr.isConnected) fragment.append(entry.tr);
      }
      tbody.append(fragment);
      next += ROWS_PER_FRAME;
      if (next < runs.length) requestAnimationFrame(step);
      else done();
    };
    if (runs.length) requestAnimationFrame(step);
    else done();
  }

  function showTableOrEmpty() {
    if (rows.size) {
      if (!table.isConnected) clear(body, h('div', { class: 'table-wrap' }, table), footer());
      else body.querySelector('.table-footer')?.replaceWith(footer());
      return;
    }
    const filtered = filters.status || filters.architecture || filters.tag;
    clear(body, filtered
      ? emptyState('No runs match these filters', 'Try another status, contestant or tag.', { href: '#/runs', label: 'Show all runs' })
      : emptyState('No runs yet — launch one', 'Pick a contestant, set its hyperparameters and start training.', { href: '#/launch', label: 'Launch a run' }));
  }

  function footer() {
    return h('div', { class: 'table-footer' },
      total > rows.size ? `Showing the newest ${fmtInt(rows.size)} of ${fmtInt(total)} runs` : 'Live: updates arrive as runs train');
  }

  function buildRow(run) {
    const checkbox = h('input', { type: 'checkbox', 'aria-label': `Select run ${run.id}`, checked: selected.has(run.id), dataset: { role: 'select' } });
    const bar = progressBar(run);
    const durationCell = h('td', { class: 'num' }, fmtDuration(run.duration_seconds));
    const active = ACTIVE_STATUSES.has(run.status);
    const tr = h('tr', { dataset: { id: run.id, status: run.status }, class: selected.has(run.id) ? 'selected' : null },
      h('td', {}, checkbox),
      h('td', { class: 'num muted' }, `#${run.id}`),
      h('td', { class: 'name-cell', title: run.name }, h('a', { href: `#/run/${run.id}`, class: 'run-link' }, run.name)),
      h('td', {}, run.architecture),
      h('td', {}, run.dataset),
      h('td', {}, statusBadge(run.status)),
      h('td', {}, bar.el),
      h('td', { class: 'num', title: run.best_epoch ? `epoch ${run.best_epoch}` : null }, fmtPct(run.best_val_acc)),
      h('td', { class: 'num' }, fmtPct(run.test_acc)),
      h('td', { class: 'num' }, fmtInt(run.param_count)),
      durationCell,
      h('td', { class: 'tags-cell' }, (run.tags || []).map((t) => h('span', { class: 'tag', title: t }, t))),
      h('td', { class: 'actions' },
        active ? h('button', { class: 'btn btn-sm btn-ghost', dataset: { action: 'cancel' }, disabled: run.status === 'cancelling', title: 'Cancel this run' }, 'Cancel') : null,
        h('button', { class: 'btn btn-sm btn-ghost', dataset: { action: 'clone' }, title: 'Queue a copy with the same config' }, 'Clone'),
        h('button', { class: 'btn btn-sm btn-ghost btn-danger', dataset: { action: 'delete' }, disabled: active && run.status !== 'queued', title: active && run.status !== 'queued' ? 'Cancel the run before deleting it' : 'Delete this run' }, 'Delete')));
    tr.title = `Created ${fmtDate(run.created_at)}`;
    const entry = { run, tr, bar, durationCell, receivedAt: performance.now() };
    rows.set(run.id, entry);
    return entry;
  }

  function applyStatus(run) {
    const entry = rows.get(run.id);
    if (!matches(run, filters)) {
      if (entry) removeRow(run.id);
      return;
    }
    if (entry) {
      if (isStale(entry.run, run)) return;
      const fresh = buildRow(run);
      entry.tr.replaceWith(fresh.tr);
      return;
    }
    const fresh = buildRow(run);
    const older = [...tbody.children].find((tr) => Number(tr.dataset.id) < run.id);
    tbody.insertBefore(fresh.tr, older || null);
    total += 1;
    showTableOrEmpty();
    updateCount();
  }

  function applyProgress(p) {
    const entry = rows.get(p.run_id);
    if (!entry) return;
    entry.run = { ...entry.run, progress: { epoch: p.epoch, fraction: p.fraction, loss: p.loss } };
    if (entry.run.status === 'queued') entry.run.status = 'running';
    entry.bar.update(entry.run);
  }

  function removeRow(id) {
    const entry = rows.get(id);
    if (!entry) return;
    entry.tr.remove();
    rows.delete(id);
    selected.delete(id);
    total = Math.max(total - 1, 0);
    showTableOrEmpty();
    updateCount();
  }

  function tickDurations() {
    if (!isLive()) return;   // the clocks stop while the backend is unreachable
    const now = performance.now();
    for (const entry of rows.values()) {
      const { run } = entry;
      if ((run.status === 'running' || run.status === 'cancelling') && run.duration_seconds !== null && run.duration_seconds !== undefined) {
        entry.durationCell.textContent = fmtDuration(run.duration_seconds + (now - entry.receivedAt) / 1000);
      }
    }
  }

  async function onTableClick(event) {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const entry = rows.get(Number(button.closest('tr').dataset.id));
    if (!entry) return;
    button.disabled = true;
    const action = button.dataset.action;
    if (action === 'cancel') {
      const updated = await cancelRun(entry.run);
      if (updated) applyStatus(updated);
    } else if (action === 'clone') {
      const clone = await cloneRun(entry.run);
      if (clone) applyStatus(clone);
    } else if (action === 'delete') {
      if (await deleteRun(entry.run)) removeRow(entry.run.id);
    }
    if (button.isConnected) button.disabled = false;
  }

  function onTableChange(event) {
    if (event.target.dataset.role !== 'select') return;
    const tr = event.target.closest('tr');
    const id = Number(tr.dataset.id);
    if (event.target.checked) selected.add(id);
    else selected.delete(id);
    tr.classList.toggle('selected', event.target.checked);
    updateCount();
  }

  function selectAll() {
    for (const [id, entry] of rows) {
      if (headerCheckbox.checked) selected.add(id);
      else selected.delete(id);
      entry.tr.classList.toggle('selected', headerCheckbox.checked);
      const box = entry.tr.querySelector('input[data-role=select]');
      if (box) box.checked = headerCheckbox.checked;
    }
    updateCount();
  }

  function updateCount() {
    countLabel.textContent = `${fmtInt(total)} run${total === 1 ? '' : 's'}${selected.size ? ` · ${selected.size} selected` : ''}`;
    compareButton.disabled = selected.size < 2;
    compareButton.textContent = selected.size ? `Compare ${selected.size}` : 'Compare';
    compareButton.title = selected.size < 2 ? 'Tick two or more runs to compare them' : '';
  }

  function openCompare() {
    const ids = [...selected].sort((a, b) => a - b);
    if (ids.length < 2) {
      toast('Tick two or more runs to compare them', 'info');
      return;
    }
    location.hash = `#/compare?ids=${ids.join(',')}`;
  }

  function setFilter(key, value) {
    filters[key] = value;
    const search = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    const text = search.toString();
    history.replaceState(null, '', `#/runs${text ? `?${text}` : ''}`);
    selected.clear();
    clear(body, loading('Loading runs…'));
    load();
  }

  function clearFilters() {
    statusSelect.value = '';
    contestantSelect.value = '';
    tagInput.value = '';
    filters.status = filters.architecture = filters.tag = '';
    setFilter('tag', '');
  }
}
