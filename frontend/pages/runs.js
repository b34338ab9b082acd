// Runs page: one page of runs at a time, sorted, filtered and searched by the server (GET /api/runs),
// kept live by the /api/events stream; chosen hyperparameter and metric columns; a count that is the server's.

import { api, openStream, isLive, isPaused } from '../api.js';
import { h, clear, fmtInt, fmtPct, fmtNum, fmtDuration, fmtDate, fmtValue } from '../dom.js';
import {
  statusBadge, progressBar, pageHeader, emptyState, loading, errorState, toast,
  cancelRun, cloneRun, deleteRun, isStale, ACTIVE_STATUSES, UNFINISHED_STATUSES,
} from '../widgets.js';
import { OVERRIDDEN_BY, shownHyperparams, sortedNames } from '../hyperparams.js';
import { STATUSES } from '../meta.js';
import * as groupsPage from './groups.js';

const PAGE_SIZES = [25, 50, 100, 200];
const COLUMNS_KEY = 'battlefield.runs.columns';
const COUNT_REFRESH_MS = 400;

/**
 * The table's columns. key: the API's sort key (null: not sortable); width in px (null: the rest);
 * cell(run, entry) -> a td. Optional columns (metric and hyperparameter) are added by the picker.
 */
const BASE_COLUMNS = [
  { id: 'select', label: '', width: 40 },
  { id: 'id', label: 'ID', key: 'id', width: 64, num: true },
  { id: 'name', label: 'Name', key: 'name', width: null },
  { id: 'architecture', label: 'Contestant', key: 'architecture', width: 112 },
  { id: 'dataset', label: 'Dataset', key: 'dataset', width: 96 },
  { id: 'status', label: 'Status', key: 'status', width: 116 },
  { id: 'progress', label: 'Progress', key: 'epochs_done', width: 200 },   // room for 'epoch 200 of 200 · 99%'
  { id: 'best_val_acc', label: 'Best val', key: 'best_val_acc', width: 100, num: true, title: 'Best validation accuracy' },
  { id: 'test_acc', label: 'Test', key: 'test_acc', width: 88, num: true, title: 'Test accuracy' },
  { id: 'param_count', label: 'Params', key: 'param_count', width: 104, num: true },
  { id: 'duration', label: 'Duration', key: 'duration', width: 104, num: true },
  { id: 'tags', label: 'Tags', width: 144 },
  { id: 'actions', label: '', width: 184 },
];
const METRIC_COLUMNS = [
  { id: 'best_val_loss', label: 'Best val loss', fmt: (r) => fmtNum(r.best_val_loss) },
  { id: 'test_loss', label: 'Test loss', fmt: (r) => fmtNum(r.test_loss) },
  { id: 'best_epoch', label: 'Best epoch', fmt: (r) => fmtInt(r.best_epoch) },
  { id: 'seconds_per_epoch', label: 's / epoch', fmt: (r) => fmtNum(r.seconds_per_epoch, 2) },
  { id: 'created_at', label: 'Created', fmt: (r) => fmtDate(r.created_at), width: 168 },
  { id: 'finished_at', label: 'Finished', fmt: (r) => fmtDate(r.finished_at), width: 168 },
];
// sorting these starts high-to-low (numbers, dates); text columns start A to Z
const DESCENDING_FIRST = new Set(['id', 'epochs_done', 'best_val_acc', 'test_acc', 'param_count', 'duration', 'best_epoch',
  'seconds_per_epoch', 'created_at', 'finished_at']);

/** The optional columns the person chose, from localStorage: ['hp.lr', 'test_loss', ...]. */
function savedColumns() {
  try {
    const value = JSON.parse(localStorage.getItem(COLUMNS_KEY) || '[]');
    return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** Whether a run belongs in the table under the current filters (mirrors the server's conditions). */
export function matches(run, filters) {
  if (filters.status && run.status !== filters.status) return false;
  if (filters.architecture && run.architecture !== filters.architecture) return false;
  if (filters.tag && !(run.tags || []).some((t) => t.toLowerCase().includes(filters.tag.toLowerCase()))) return false;
  if (filters.q && !run.name.toLowerCase().includes(filters.q.toLowerCase())) return false;
  return true;
}

/** Mount the runs page into `root` (grouped by configuration with ?group=1); returns its cleanup. */
export function mount(root, { route, architectures }) {
  if (route.params.get('group') === '1') return groupsPage.mount(root, { route, architectures });
  const params = route.params;
  const filters = {
    status: params.get('status') || '',
    architecture: params.get('architecture') || '',
    tag: params.get('tag') || '',
    q: params.get('q') || '',
  };
  const view = {
    sort: params.get('sort') || 'id',
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
    offset: Math.max(Number(params.get('offset')) || 0, 0),
    limit: PAGE_SIZES.includes(Number(params.get('limit'))) ? Number(params.get('limit')) : 50,
  };
  let extraColumns = savedColumns();
  let numericHyperparams = new Set();
  let hyperparamNames = [];
  const rows = new Map();        // run id -> {run, tr, bar, durationCell, receivedAt}
  const selected = new Set();
  let total = 0;
  let loaded = false;
  let pending = [];              // events that arrived before the page
  let fetchToken = 0;
  let newestId = 0;              // the highest run id seen: a status event above it is a new run
  let countTimer = null;
  let actionStartedAt = null;    // when the last sort/filter/page action began (for the bench)

  // ---- header and toolbar ----
  const countLabel = h('span', { class: 'count-pill', id: 'runs-count' });
  const compareButton = h('button', { class: 'btn', disabled: true, onclick: openCompare, 'data-testid': 'compare-selected' }, 'Compare');
  const csvLink = h('a', { class: 'btn', id: 'runs-csv', download: 'runs.csv', title: 'These runs (every page, this filter and order) as CSV' }, 'CSV');
  root.append(pageHeader('Runs', countLabel, [compareButton, csvLink, h('a', { class: 'btn btn-primary', href: '#/launch' }, 'New run')]));

  const searchInput = h('input', { type: 'search', placeholder: 'Search names', 'aria-label': 'Search run names', name: 'q', value: filters.q, id: 'runs-search', maxlength: '200' });
  const statusSelect = h('select', { 'aria-label': 'Filter by status', name: 'status' },
    h('option', { value: '' }, 'All statuses'), STATUSES.map((s) => h('option', { value: s }, s)));
  statusSelect.value = filters.status;
  const contestantSelect = h('select', { 'aria-label': 'Filter by contestant', name: 'architecture' }, h('option', { value: '' }, 'All contestants'));
  if (filters.architecture) contestantSelect.append(h('option', { value: filters.architecture }, filters.architecture));
  contestantSelect.value = filters.architecture;
  const tagInput = h('input', { type: 'search', placeholder: 'Tag contains…', 'aria-label': 'Filter by tag', name: 'tag', value: filters.tag, id: 'runs-tag', maxlength: '64' });
  const clearButton = h('button', { class: 'btn btn-ghost', onclick: clearFilters }, 'Clear filters');
  const columnsHost = h('div', { class: 'column-picker-list' });
  const columnPicker = h('details', { class: 'column-picker', id: 'column-picker' },
    h('summary', { class: 'btn' }, 'Columns'), columnsHost);
  root.append(h('div', { class: 'toolbar' }, searchInput, statusSelect, contestantSelect, tagInput, clearButton,
    groupsPage.groupToggle(false, route.params), h('span', { class: 'spacer' }), columnPicker));

  architectures().then((list) => {
    clear(contestantSelect, h('option', { value: '' }, 'All contestants'),
      list.map((a) => h('option', { value: a.name }, a.title)));
    contestantSelect.value = filters.architecture;
    const names = new Set();
    for (const a of list) {
      for (const [name, prop] of Object.entries(a.params_schema?.properties || {})) {
        names.add(name);
        const type = prop.type ?? prop.anyOf?.find((o) => o.type !== 'null')?.type;
        if (type === 'number' || type === 'integer') numericHyperparams.add(name);
      }
    }
    // a field its list sibling overrides (kernel_size) is no column of its own: the sibling's column shows what applies
    hyperparamNames = sortedNames([...names].filter((name) => !names.has(OVERRIDDEN_BY[name])));
    buildColumnPicker();
  }).catch(() => {});

  const debounced = (fn, ms) => {
    let timer = null;
    const run = (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
    run.cancel = () => clearTimeout(timer);
    return run;
  };
  const setSearch = debounced(() => setFilter('q', searchInput.value.trim()), 250);
  const setTag = debounced(() => setFilter('tag', tagInput.value.trim()), 250);
  statusSelect.addEventListener('change', () => setFilter('status', statusSelect.value));
  contestantSelect.addEventListener('change', () => setFilter('architecture', contestantSelect.value));
  searchInput.addEventListener('input', setSearch);
  tagInput.addEventListener('input', setTag);

  // ---- table ----
  const headerCheckbox = h('input', { type: 'checkbox', 'aria-label': 'Select all runs on this page', onchange: selectAll });
  const thead = h('thead');
  const tbody = h('tbody', { onclick: onTableClick, onchange: onTableChange });
  const colgroup = h('colgroup');
  const table = h('table', { class: 'data runs-table', id: 'runs-table' }, colgroup, thead, tbody);
  const pager = h('div', { class: 'table-footer pager', id: 'runs-pager' });
  const body = h('div', { class: 'card table-card' }, loading('Loading runs…'));
  root.append(body);
  buildHeader();

  // ---- live updates: open the stream first, apply what it says once the page is in ----
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
    clearTimeout(countTimer);
    setSearch.cancel();
    setTag.cancel();
  };

  // ---- columns ----
  function columns() {
    const extras = extraColumns.map((id) => {
      const metric = METRIC_COLUMNS.find((c) => c.id === id);
      if (metric) return { ...metric, key: id, num: !id.endsWith('_at'), width: metric.width || 112 };
      if (id.startsWith('hp.')) {
        const name = id.slice(3);
        return { id, label: name, key: id, num: numericHyperparams.has(name), width: 112, hp: name, mono: true };
      }
      return null;
    }).filter(Boolean);
    const tagsAt = BASE_COLUMNS.findIndex((c) => c.id === 'tags');
    return [...BASE_COLUMNS.slice(0, tagsAt), ...extras, ...BASE_COLUMNS.slice(tagsAt)];
  }

  function buildColumnPicker() {
    const box = (id, label) => h('label', { class: 'check-row' },
      h('input', { type: 'checkbox', value: id, checked: extraColumns.includes(id), onchange: onPickColumn }), label);
    clear(columnsHost,
      h('div', { class: 'column-picker-group' }, 'Metrics'), METRIC_COLUMNS.map((c) => box(c.id, c.label)),
      h('div', { class: 'column-picker-group' }, 'Hyperparameters'), hyperparamNames.map((n) => box(`hp.${n}`, h('span', { class: 'mono' }, n))));
  }

  function onPickColumn(event) {
    const id = event.target.value;
    extraColumns = event.target.checked ? [...extraColumns.filter((c) => c !== id), id] : extraColumns.filter((c) => c !== id);
    try {
      localStorage.setItem(COLUMNS_KEY, JSON.stringify(extraColumns));
    } catch { /* private mode: the choice lasts for this page */ }
    buildHeader();
    for (const entry of [...rows.values()]) entry.tr.replaceWith(buildRow(entry.run).tr);
  }

  function buildHeader() {
    const cols = columns();
    clear(colgroup, cols.map((c) => h('col', { style: c.width ? { width: `${c.width}px` } : {} })));
    table.style.minWidth = `${cols.reduce((sum, c) => sum + (c.width || 200), 0)}px`;
    clear(thead, h('tr', {}, cols.map((c) => {
      if (c.id === 'select') return h('th', {}, headerCheckbox);
      if (!c.key) return h('th', {}, c.label);
      const active = view.sort === c.key;
      const arrow = active ? (view.order === 'asc' ? '▲' : '▼') : '';
      return h('th', {
        class: `${c.num ? 'num ' : ''}sortable${active ? ' sorted' : ''}`,
        'aria-sort': active ? (view.order === 'asc' ? 'ascending' : 'descending') : 'none',
        dataset: { sort: c.key },
        title: c.title ? `${c.title}: sort` : `Sort by ${c.label}`,
      }, h('button', { type: 'button', class: 'th-button', onclick: () => sortBy(c.key) }, c.label, h('span', { class: 'sort-arrow', 'aria-hidden': 'true' }, arrow)));
    })));
  }

  function cell(c, run, entry) {
    switch (c.id) {
      case 'select':
        return h('td', {}, h('input', { type: 'checkbox', 'aria-label': `Select run ${run.id}`, checked: selected.has(run.id), dataset: { role: 'select' } }));
      case 'id': return h('td', { class: 'num muted' }, `#${run.id}`);
      case 'name': return h('td', { class: 'name-cell', title: run.name }, h('a', { href: `#/run/${run.id}`, class: 'run-link' }, run.name));
      case 'architecture': return h('td', {}, run.architecture);
      case 'dataset': return h('td', {}, run.dataset);
      case 'status': return h('td', {}, statusBadge(run.status));
      case 'progress': return h('td', {}, entry.bar.el);
      case 'best_val_acc': return h('td', { class: 'num', title: run.best_epoch ? `epoch ${run.best_epoch}` : null }, fmtPct(run.best_val_acc));
      case 'test_acc': return h('td', { class: 'num' }, fmtPct(run.test_acc));
      case 'param_count': return h('td', { class: 'num' }, fmtInt(run.param_count));
      case 'duration': return entry.durationCell;
      case 'tags':
        return h('td', { class: 'tags-cell', title: (run.tags || []).join(', ') },
          (run.tags || []).map((t) => h('button', { type: 'button', class: 'tag tag-button', dataset: { tag: t }, title: `Show runs tagged ${t}` }, t)));
      case 'actions': {
        const active = UNFINISHED_STATUSES.has(run.status);
        const deletable = !active || run.status === 'queued';
        return h('td', { class: 'actions' },
          active ? h('button', { class: 'btn btn-sm btn-ghost', dataset: { action: 'cancel' }, disabled: run.status === 'cancelling', title: 'Cancel this run' }, 'Cancel') : null,
          h('button', { class: 'btn btn-sm btn-ghost', dataset: { action: 'clone' }, title: 'Queue a copy with the same config' }, 'Clone'),
          h('button', { class: 'btn btn-sm btn-ghost btn-danger', dataset: { action: 'delete' }, disabled: !deletable, title: deletable ? 'Delete this run' : 'Cancel the run before deleting it' }, 'Delete'));
      }
      default:
        if (c.hp) return h('td', { class: c.num ? 'num' : 'mono' }, fmtValue(shownHyperparams(run.hyperparams ?? {})[c.hp]));
        return h('td', { class: c.num ? 'num' : '' }, c.fmt(run));
    }
  }

  // ---- behaviour ----
  function apiQuery() {
    return { ...filters, sort: view.sort, order: view.order, offset: view.offset, limit: view.limit };
  }

  async function load() {
    const token = ++fetchToken;
    loaded = false;
    const t0 = actionStartedAt ?? performance.now();
    actionStartedAt = null;
    let reply;
    try {
      reply = await api.listRuns(apiQuery());
    } catch (err) {
      if (token === fetchToken) clear(body, errorState(`Could not load runs: ${err.message}`));
      return;
    }
    if (token !== fetchToken) return;
    if (reply.data.length === 0 && reply.count > 0 && view.offset > 0) {  // past the end (runs were deleted)
      view.offset = Math.max(0, Math.floor((reply.count - 1) / view.limit) * view.limit);
      saveRoute();
      load();
      return;
    }
    const t1 = performance.now();
    total = reply.count;
    renderTable(reply.data);
    void table.offsetHeight;  // force layout so the timing includes it
    loaded = true;
    const queued = pending;
    pending = [];
    for (const [type, data] of queued) {
      if (type === 'status') applyStatus(data);
      else if (type === 'progress') applyProgress(data);
      else removeRow(data.id);
    }
    updateCount();
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const now = performance.now();  // since navigation start
      const timings = { rows: reply.data.length, count: reply.count, fetch_ms: t1 - t0, paint_ms: now - t0, since_navigation_ms: now };
      window.__renderTimings = window.__renderTimings || {};
      window.__renderTimings.runs = timings;
      window.__renderTimings.runsLoads = (window.__renderTimings.runsLoads || 0) + 1;
    }));
  }

  function renderTable(list) {
    rows.clear();
    const fragment = document.createDocumentFragment();
    for (const run of list) {
      newestId = Math.max(newestId, run.id);
      fragment.append(buildRow(run).tr);
    }
    clear(tbody, fragment);
    showTableOrEmpty();
  }

  function showTableOrEmpty() {
    if (rows.size) {
      if (!table.isConnected) clear(body, h('div', { class: 'table-wrap' }, table), pager);
      renderPager();
      return;
    }
    const filtered = filters.status || filters.architecture || filters.tag || filters.q;
    clear(body, filtered
      ? emptyState('No runs match these filters', 'Try another name, status, contestant or tag.', { href: '#/runs', label: 'Show all runs' })
      : emptyState('No runs yet — launch one', 'Pick a contestant, set its hyperparameters and start training.', { href: '#/launch', label: 'Launch a run' }));
  }

  function renderPager() {
    const first = total ? view.offset + 1 : 0;
    const last = Math.min(view.offset + rows.size, total);
    const sizeSelect = h('select', { 'aria-label': 'Runs per page', id: 'runs-page-size', onchange: (e) => setPage(0, Number(e.target.value)) },
      PAGE_SIZES.map((n) => h('option', { value: String(n), selected: n === view.limit }, `${n} per page`)));
    clear(pager,
      h('span', { id: 'runs-range' }, `${fmtInt(first)}–${fmtInt(last)} of ${fmtInt(total)}`),
      h('span', { class: 'spacer' }),
      sizeSelect,
      h('button', { class: 'btn btn-sm', id: 'runs-prev', disabled: view.offset === 0, onclick: () => setPage(Math.max(view.offset - view.limit, 0)) }, '‹ Newer'),
      h('button', { class: 'btn btn-sm', id: 'runs-next', disabled: view.offset + view.limit >= total, onclick: () => setPage(view.offset + view.limit) }, 'Older ›'));
    if (view.sort !== 'id' || view.order !== 'desc') {
      pager.querySelector('#runs-prev').textContent = '‹ Previous';
      pager.querySelector('#runs-next').textContent = 'Next ›';
    }
  }

  function buildRow(run) {
    const bar = progressBar(run);
    const entry = { run, tr: null, bar, durationCell: h('td', { class: 'num' }, fmtDuration(run.duration_seconds)), receivedAt: performance.now() };
    entry.tr = h('tr', { dataset: { id: run.id, status: run.status }, class: selected.has(run.id) ? 'selected' : null, title: `Created ${fmtDate(run.created_at)}` },
      columns().map((c) => cell(c, run, entry)));
    rows.set(run.id, entry);
    return entry;
  }

  /** Newest first with no offset: a new run belongs at the top of this page. */
  function showsNewRunsFirst() {
    return view.sort === 'id' && view.order === 'desc' && view.offset === 0;
  }

  function applyStatus(run) {
    const entry = rows.get(run.id);
    const isNew = run.id > newestId;
    newestId = Math.max(newestId, run.id);
    if (!matches(run, filters)) {
      if (entry) removeRow(run.id);
      return;
    }
    if (entry) {
      if (isStale(entry.run, run)) return;
      entry.tr.replaceWith(buildRow(run).tr);
      return;
    }
    if (!isNew) {  // a run on another page changed, or came into this filter: the server knows the count
      refreshCount();
      return;
    }
    total += 1;
    if (showsNewRunsFirst()) {
      tbody.prepend(buildRow(run).tr);
      const extra = [...rows.values()].sort((a, b) => b.run.id - a.run.id).slice(view.limit);
      for (const e of extra) {
        e.tr.remove();
        rows.delete(e.run.id);
      }
      showTableOrEmpty();
    } else {
      renderPager();
    }
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
    if (!entry) {
      refreshCount();  // it may have matched this filter on another page
      return;
    }
    entry.tr.remove();
    rows.delete(id);
    selected.delete(id);
    total = Math.max(total - 1, 0);
    showTableOrEmpty();
    updateCount();
  }

  /** Ask the server for the true count (debounced): events cannot tell whether an off-page run matched. */
  function refreshCount() {
    clearTimeout(countTimer);
    countTimer = setTimeout(async () => {
      try {
        const reply = await api.listRuns({ ...filters, limit: 1 });
        total = reply.count;
        if (rows.size) renderPager();
        updateCount();
      } catch { /* the next event or load corrects it */ }
    }, COUNT_REFRESH_MS);
  }

  function tickDurations() {
    if (!isLive() || isPaused()) return;   // the clocks stop while the backend is unreachable or the tab hidden
    const now = performance.now();
    for (const entry of rows.values()) {
      const { run } = entry;
      if (ACTIVE_STATUSES.has(run.status) && run.duration_seconds !== null && run.duration_seconds !== undefined) {
        entry.durationCell.textContent = fmtDuration(run.duration_seconds + (now - entry.receivedAt) / 1000);
      }
    }
  }

  async function onTableClick(event) {
    const tagButton = event.target.closest('button[data-tag]');
    if (tagButton) {
      tagInput.value = tagButton.dataset.tag;
      setFilter('tag', tagButton.dataset.tag);
      return;
    }
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
    const { offset, limit, ...all } = apiQuery();
    csvLink.href = `/api/runs.csv${new URLSearchParams(Object.entries(all).filter(([, v]) => v !== '')).toString().replace(/^(?=.)/, '?')}`;
  }

  function openCompare() {
    const ids = [...selected].sort((a, b) => a - b);
    if (ids.length < 2) {
      toast('Tick two or more runs to compare them', 'info');
      return;
    }
    location.hash = `#/compare?ids=${ids.join(',')}`;
  }

  function saveRoute() {
    const search = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    if (view.sort !== 'id') search.set('sort', view.sort);
    if (view.order !== 'desc') search.set('order', view.order);
    if (view.offset) search.set('offset', String(view.offset));
    if (view.limit !== 50) search.set('limit', String(view.limit));
    const text = search.toString();
    history.replaceState(null, '', `#/runs${text ? `?${text}` : ''}`);
  }

  function reload() {
    actionStartedAt = performance.now();
    saveRoute();
    load();
  }

  function sortBy(key) {
    if (view.sort === key) view.order = view.order === 'asc' ? 'desc' : 'asc';
    else {
      view.sort = key;
      view.order = DESCENDING_FIRST.has(key) || (key.startsWith('hp.') && numericHyperparams.has(key.slice(3))) ? 'desc' : 'asc';
    }
    view.offset = 0;
    buildHeader();
    reload();
  }

  function setPage(offset, limit = view.limit) {
    view.offset = offset;
    view.limit = limit;
    reload();
  }

  function setFilter(key, value) {
    if (filters[key] === value) return;
    filters[key] = value;
    view.offset = 0;
    selected.clear();
    reload();
  }

  function clearFilters() {
    statusSelect.value = '';
    contestantSelect.value = '';
    tagInput.value = '';
    searchInput.value = '';
    filters.status = filters.architecture = filters.tag = filters.q = '';
    view.offset = 0;
    reload();
  }
}
