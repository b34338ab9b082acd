// Compare page: several runs' curves overlaid, final numbers side by side, and their config diff.

import { api, openStream } from '../api.js';
import { h, clear, fmtInt, fmtPct, fmtValue, runLabel } from '../dom.js';
import { statusBadge, pageHeader, loading, errorState, emptyState, toast, TERMINAL_STATUSES } from '../widgets.js';
import { draw, purge, baseLayout, metricTrace, colour, ema, cumulative, tickFormat, escapeForPlotly, epochTicks, integerTicks } from '../charts.js';
import { shownHyperparams, sortedNames } from '../hyperparams.js';
import { disagreementCard } from './errors.js';
import * as compareGroups from './compare_groups.js';

const PARCOORDS_AXIS_PX = 96;     // parallel coordinates: the least room between two axes
const PARCOORDS_MARGIN_PX = 160;  // its left margin and colour bar

const METRICS = [['loss', 'Loss'], ['acc', 'Accuracy']];
const SPLITS = [['train', 'Train'], ['validation', 'Validation'], ['both', 'Both']];
const X_AXES = [['epoch', 'Epoch'], ['time', 'Wall time']];

/** Parse "1,2,3" into unique positive integers, in order. */
function parseIds(text) {
  const ids = (text || '').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
  return [...new Set(ids)];
}

/** A segmented control; calls onPick(value) and marks the active button. */
function segmented(name, options, value, onPick) {
  const el = h('div', { class: 'segmented', role: 'group', 'aria-label': name, id: `control-${name}` });
  for (const [key, label] of options) {
    el.append(h('button', {
      type: 'button', class: key === value ? 'active' : null, dataset: { value: key }, 'aria-pressed': String(key === value),
      onclick: () => {
        for (const b of el.children) {
          b.classList.toggle('active', b.dataset.value === key);
          b.setAttribute('aria-pressed', String(b.dataset.value === key));
        }
        onPick(key);
      },
    }, label));
  }
  return el;
}

/** Mount the compare page for the ids in the route (groups with ?groups=...); returns its cleanup. */
export function mount(root, { route }) {
  if (route.params.get('groups') && !route.params.get('ids')) return compareGroups.mount(root, { route });
  const ids = parseIds(route.params.get('ids'));
  const view = {
    metric: route.params.get('metric') === 'loss' ? 'loss' : 'acc',
    split: ['train', 'validation', 'both'].includes(route.params.get('split')) ? route.params.get('split') : 'validation',
    x: route.params.get('x') === 'time' ? 'time' : 'epoch',
    smoothing: Math.min(Math.max(Number(route.params.get('smooth')) || 0, 0), 0.99),
  };
  const entries = new Map();    // run id -> {run, metrics, colour}
  let alive = true;
  let stream = null;
  const refetching = new Map(); // run id -> promise, so bursts of events fetch once

  if (ids.length === 0) {
    root.append(pageHeader('Compare runs'), h('div', { class: 'card' },
      emptyState('Pick runs to compare', 'Tick two or more runs in the Runs table, then press Compare.', { href: '#/runs', label: 'Go to runs' })));
    return () => {};
  }

  const subtitle = h('div', { class: 'page-subtitle', id: 'compare-runs' });
  root.append(pageHeader(`Compare ${ids.length} run${ids.length === 1 ? '' : 's'}`, subtitle, [h('a', { class: 'btn', href: '#/runs' }, 'Change selection')]));
  const body = h('div', {}, loading('Loading runs…'));
  root.append(body);

  const chart = h('div', { class: 'chart chart-lg', id: 'compare-chart' });
  const smoothingValue = h('span', { class: 'num', style: { width: '32px', display: 'inline-block' } }, view.smoothing.toFixed(2));
  const slider = h('input', { type: 'range', min: '0', max: '0.99', step: '0.01', value: String(view.smoothing), id: 'smoothing', 'aria-label': 'EMA smoothing' });
  slider.addEventListener('input', () => {
    view.smoothing = Number(slider.value);
    smoothingValue.textContent = view.smoothing.toFixed(2);
    saveView();
    drawChart();
  });
  const finals = h('table', { class: 'data', id: 'compare-table' });
  const diff = h('div', { id: 'compare-diff' });
  const parcoords = h('div', { class: 'chart', id: 'compare-parcoords' });

  const t0 = performance.now();
  api.compare(ids).then(async (reply) => {
    if (!alive) return;
    const t1 = performance.now();
    reply.runs.forEach(({ run, metrics }, i) => entries.set(run.id, { run, metrics, colour: colour(i) }));
    buildPage();
    renderTables();
    await drawChart();
    const t2 = performance.now();
    drawParcoords();
    window.__renderTimings = window.__renderTimings || {};
    window.__renderTimings.compare = {
      runs: entries.size,
      points: [...entries.values()].reduce((n, e) => n + e.metrics.length, 0),
      fetch_ms: t1 - t0,
      draw_ms: t2 - t1,
    };
    console.debug('compare timings', window.__renderTimings.compare);
    if ([...entries.values()].some((e) => !TERMINAL_STATUSES.has(e.run.status))) subscribe();
  }).catch((err) => {
    if (alive) clear(body, errorState(`Could not load the comparison: ${err.message}`));
  });

  return () => {
    alive = false;
    stream?.close();
    purge(chart);
    purge(parcoords);
  };

  function buildPage() {
    clear(body, 
      h('section', { class: 'card' },
        h('div', { class: 'controls' },
          h('div', { class: 'control' }, h('span', { class: 'control-label' }, 'Metric'), segmented('metric', METRICS, view.metric, (v) => { view.metric = v; saveView(); drawChart(); })),
          h('div', { class: 'control' }, h('span', { class: 'control-label' }, 'Split'), segmented('split', SPLITS, view.split, (v) => { view.split = v; saveView(); drawChart(); })),
          h('div', { class: 'control' }, h('span', { class: 'control-label' }, 'X axis'), segmented('x', X_AXES, view.x, (v) => { view.x = v; saveView(); drawChart(); })),
          h('label', { class: 'control', for: 'smoothing' }, h('span', { class: 'control-label' }, 'Smoothing'), slider, smoothingValue)),
        chart),
      h('section', { class: 'card table-card', style: { marginTop: '24px' } },
        h('h2', { class: 'card-title', style: { padding: '16px 24px 0' } }, 'Final numbers'),
        h('div', { class: 'table-wrap' }, finals)),
      h('section', { class: 'card', style: { marginTop: '24px' } },
        h('h2', { class: 'card-title' }, 'Hyperparameters that differ'), diff),
      h('section', { class: 'card', style: { marginTop: '24px' } },
        h('h2', { class: 'card-title' }, 'Hyperparameters against accuracy',
          h('span', { class: 'hint' }, 'parallel coordinates · drag along an axis to filter')),
        h('div', { class: 'chart-scroll', id: 'compare-parcoords-scroll' }, parcoords)),
      disagreement());
  }

  /** For two runs that both kept their test predictions: where they disagree. */
  function disagreement() {
    const pair = [...entries.values()].map((e) => e.run);
    return pair.length === 2 && pair.every((run) => run.has_predictions) ? disagreementCard(pair[0], pair[1]) : null;
  }

  function saveView() {
    const search = new URLSearchParams({ ids: ids.join(','), metric: view.metric, split: view.split, x: view.x });
    if (view.smoothing) search.set('smooth', String(view.smoothing));
    history.replaceState(null, '', `#/compare?${search.toString().replaceAll('%2C', ',')}`);
  }

  function traces() {
    const splits = view.split === 'both' ? ['train', 'validation'] : [view.split];
    const out = [];
    for (const { run, metrics, colour: color } of entries.values()) {
      const rows = [...metrics].sort((a, b) => a.epoch - b.epoch);
      const x = view.x === 'epoch' ? rows.map((r) => r.epoch) : cumulative(rows.map((r) => r.seconds));
      for (const split of splits) {
        const key = `${split === 'train' ? 'train' : 'val'}_${view.metric}`;
        const label = runLabel(run);
        const trace = metricTrace({
          x,
          y: ema(rows.map((r) => r[key]), view.smoothing),
          name: view.split === 'both' ? `${label} · ${split}` : label,
          color,
          split,
          legendgroup: String(run.id),
        });
        trace.hovertemplate = `%{fullData.name}<br>${view.x === 'epoch' ? 'epoch %{x}' : '%{x:.1f} s'}: <b>%{y:${view.metric === 'acc' ? '.2%' : '.4f'}}</b><extra></extra>`;
        out.push(trace);
      }
    }
    return out;
  }

  function maxEpoch() {
    return Math.max(1, ...[...entries.values()].map((e) => e.metrics.length));
  }

  async function drawChart() {
    const data = traces();
    const yFormat = tickFormat(data.flatMap((t) => t.y), { percent: view.metric === 'acc' });
    const layout = baseLayout({
      xaxis: { title: { text: view.x === 'epoch' ? 'epoch' : 'wall time (s)' }, ticksuffix: view.x === 'time' ? ' s' : '', ...(view.x === 'epoch' ? epochTicks(maxEpoch(), chart.clientWidth) : {}) },
      yaxis: { title: { text: `${view.metric === 'acc' ? 'accuracy' : 'loss'} (${view.split})` }, tickformat: yFormat },
      legend: { orientation: 'h', x: 0, y: -0.18, yanchor: 'top' },
      margin: { l: 64, r: 24, t: 16, b: 24 },
      hovermode: 'closest',
      showlegend: true,
    });
    try {
      await draw(chart, data, layout);
    } catch (err) {
      toast(err.message, 'error');
      return;
    }
    if (!chart.dataset.hoverBound) {
      chart.dataset.hoverBound = '1';
      chart.on('plotly_hover', (event) => highlight(event.points?.[0]?.data?.legendgroup));
      chart.on('plotly_unhover', () => highlight(null));
    }
  }

  /** Dim every run but the hovered one; null restores them all. */
  function highlight(group) {
    if (!window.Plotly || !chart.data) return;
    const opacity = chart.data.map((t) => (group === null || group === undefined || t.legendgroup === group ? 1 : 0.15));
    window.Plotly.restyle(chart, { opacity });
  }

  /** Plotly parcoords: one line per run across its differing hyperparameters, ending at its accuracy. */
  async function drawParcoords() {
    const list = [...entries.values()];
    const useTest = list.some((e) => e.run.test_acc !== null && e.run.test_acc !== undefined);
    const score = (e) => (useTest ? e.run.test_acc : e.run.best_val_acc) ?? null;
    const values = (e) => ({ contestant: e.run.architecture, ...shownHyperparams(e.run.hyperparams) });
    const names = [...new Set(list.flatMap((e) => Object.keys(values(e))))];
    const dims = [];
    for (const name of ['contestant', ...sortedNames(names.filter((n) => n !== 'contestant'))]) {
      const column = list.map((e) => values(e)[name]);
      if (new Set(column.map((v) => JSON.stringify(v ?? null))).size < 2) continue;  // the same everywhere: no information
      if (column.every((v) => Number.isInteger(v))) {   // seed, epochs, widths: whole-number ticks, never 2.5
        dims.push({ label: escapeForPlotly(name), values: column, ...integerTicks(column) });
      } else if (column.every((v) => typeof v === 'number')) {
        dims.push({ label: escapeForPlotly(name), values: column });
      } else {
        const categories = [...new Set(column.map((v) => fmtValue(v)))].sort();
        dims.push({ label: escapeForPlotly(name), values: column.map((v) => categories.indexOf(fmtValue(v))),
          tickvals: categories.map((_, i) => i), ticktext: categories.map(escapeForPlotly) });
      }
    }
    const accuracy = list.map(score);
    const finite = accuracy.filter((v) => v !== null);
    const accuracyFormat = tickFormat(finite, { percent: true });   // 87.4 %, 88.0 %: never the same label twice
    dims.push({ label: useTest ? 'test accuracy' : 'best val accuracy', values: accuracy.map((v) => v ?? NaN), tickformat: accuracyFormat });
    // Each axis gets room for its tick labels ("3, 4, 5", "1,000,000"); more axes than the card holds scroll inside it.
    parcoords.style.minWidth = `${dims.length * PARCOORDS_AXIS_PX + PARCOORDS_MARGIN_PX}px`;
    try {
      await draw(parcoords, [{
        type: 'parcoords', dimensions: dims,
        line: { color: accuracy.map((v) => v ?? 0), colorscale: 'Viridis', showscale: true,
          cmin: finite.length ? Math.min(...finite) : 0, cmax: finite.length ? Math.max(...finite) : 1,
          colorbar: { title: { text: 'acc' }, tickformat: accuracyFormat, thickness: 12 } },
        labelangle: -20, labelside: 'top', labelfont: { size: 11 }, tickfont: { size: 10 },
        // Plotly writes each axis's min and max beside its end ticks: the same numbers twice, so they are hidden
        rangefont: { size: 10, color: 'rgba(0,0,0,0)' },
      }], baseLayout({ margin: { l: 64, r: 48, t: 72, b: 24 } }));
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  function renderTables() {
    const list = [...entries.values()];
    const runCell = (e) => h('span', {}, h('span', { class: 'swatch', style: { background: e.colour } }),
      h('a', { href: `#/run/${e.run.id}`, class: 'run-link' }, runLabel(e.run)));
    clear(subtitle, list.map((e) => h('span', { class: 'tag' }, h('span', { class: 'swatch', style: { background: e.colour } }), runLabel(e.run))));

    // final numbers, best value of each column in bold green
    const best = (key, better) => {
      const values = list.map((e) => e.run[key]).filter((v) => v !== null && v !== undefined);
      return values.length > 1 ? better(...values) : null;
    };
    const bestVal = best('best_val_acc', Math.max);
    const bestTest = best('test_acc', Math.max);
    const fastest = best('seconds_per_epoch', Math.min);
    const cell = (value, text, target) => h('td', { class: `num${target !== null && value === target ? ' best' : ''}` }, text);
    clear(finals, 
      h('thead', {}, h('tr', {}, h('th', {}, 'Run'), h('th', {}, 'Contestant'), h('th', {}, 'Status'), h('th', { class: 'num' }, 'Epochs'),
        h('th', { class: 'num' }, 'Best val acc'), h('th', { class: 'num' }, 'Test acc'), h('th', { class: 'num' }, 'Params'), h('th', { class: 'num' }, 's / epoch'))),
      h('tbody', {}, list.map((e) => h('tr', { dataset: { id: e.run.id } },
        h('td', { class: 'name-cell' }, runCell(e)),
        h('td', {}, e.run.architecture),
        h('td', {}, statusBadge(e.run.status)),
        h('td', { class: 'num' }, `${e.run.epochs_done} / ${e.run.epochs_total}`),
        cell(e.run.best_val_acc, fmtPct(e.run.best_val_acc), bestVal),
        cell(e.run.test_acc, fmtPct(e.run.test_acc), bestTest),
        h('td', { class: 'num' }, fmtInt(e.run.param_count)),
        cell(e.run.seconds_per_epoch, e.run.seconds_per_epoch === null || e.run.seconds_per_epoch === undefined ? '—' : e.run.seconds_per_epoch.toFixed(2), fastest)))));

    // hyperparameter diff: only the fields whose values differ
    const fieldsOf = (e) => ({ contestant: e.run.architecture, dataset: e.run.dataset, ...shownHyperparams(e.run.hyperparams) });
    const allNames = new Set(list.flatMap((e) => Object.keys(fieldsOf(e))));
    const differing = ['contestant', 'dataset', ...sortedNames([...allNames].filter((n) => n !== 'contestant' && n !== 'dataset'))]
      .filter((name) => new Set(list.map((e) => JSON.stringify(fieldsOf(e)[name] ?? null))).size > 1);
    clear(diff);
    if (list.length < 2) diff.append(h('p', { class: 'muted' }, 'Add another run to see what differs.'));
    else if (!differing.length) diff.append(h('p', { class: 'muted' }, 'Every run has the same configuration.'));
    else {
      diff.append(h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Field'), list.map((e) => h('th', { class: 'num run-head' }, runCell(e))))),
        h('tbody', {}, differing.map((name) => h('tr', {},
          h('td', { class: 'mono' }, name),
          list.map((e) => {
            const has = name in fieldsOf(e);
            return h('td', { class: `num${has ? '' : ' diff-same'}` }, has ? fmtValue(fieldsOf(e)[name]) : 'n/a');
          })))))));
    }
  }

  /** Follow the live runs through /api/events; re-fetch a run's metrics when it reports news. */
  function subscribe() {
    stream = openStream('/api/events', {
      status: (run) => {
        const entry = entries.get(run.id);
        if (!entry) return;
        const news = run.status !== entry.run.status || run.epochs_done !== entry.run.epochs_done;
        entry.run = run;
        if (news) refetch(run.id);
        else renderTables();
      },
      reconnected: () => refetchAll(),   // events may have been lost meanwhile
    });
  }

  function refetchAll() {
    api.compare(ids).then((reply) => {
      if (!alive) return;
      for (const { run, metrics } of reply.runs) {
        const entry = entries.get(run.id);
        if (entry) Object.assign(entry, { run, metrics });
      }
      renderTables();
      drawChart();
    }).catch(() => {});
  }

  function refetch(id) {
    if (refetching.has(id)) {
      refetching.set(id, 'again');
      return;
    }
    refetching.set(id, 'once');
    api.metrics(id).then((metrics) => {
      const entry = entries.get(id);
      if (!alive || !entry) return;
      entry.metrics = metrics;
      renderTables();
      drawChart();
      drawParcoords();
    }).catch(() => {}).finally(() => {
      const again = refetching.get(id) === 'again';
      refetching.delete(id);
      if (again && alive) refetch(id);
    });
  }
}

