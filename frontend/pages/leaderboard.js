// Leaderboard page: each contestant's best run against the notebook, size vs accuracy, speed, scoring.

import { api } from '../api.js';
import { h, clear, fmtInt, fmtPct, runLabel } from '../dom.js';
import { pageHeader, loading, errorState, emptyState, probabilityBar, statusBadge } from '../widgets.js';
import { draw, purge, baseLayout, escapeForPlotly, ACCENT, NOTEBOOK_COLOUR, OUTSIDE_BAR_TEXT } from '../charts.js';

/** The course notebook's best test accuracy per contestant; null: its cell never finished. */
export const NOTEBOOK_TEST_ACC = {
  ff_raw: 0.4999,
  ff_embedding: 0.6548,
  rnn: 0.7236,
  lstm: 0.8505,
  cnn: null,
  cnn_lstm: null,
};

/** A log-axis range around the values with room for the point labels. */
function logRange(values) {
  const logs = values.map(Math.log10);
  const low = Math.min(...logs);
  const high = Math.max(...logs);
  const pad = Math.max((high - low) * 0.12, 0.15);
  return [low - pad, high + pad];
}

/** Mount the leaderboard page; returns its cleanup. */
export function mount(root, { route, datasets }) {
  let alive = true;
  let entries = [];
  const dataset = route.params.get('dataset') || '';
  const datasetSelect = h('select', { 'aria-label': 'Dataset', id: 'leaderboard-dataset' }, h('option', { value: '' }, 'All datasets'));
  datasetSelect.addEventListener('change', () => {
    location.hash = datasetSelect.value ? `#/leaderboard?dataset=${encodeURIComponent(datasetSelect.value)}` : '#/leaderboard';
  });
  datasets().then((list) => {
    for (const d of list) datasetSelect.append(h('option', { value: d.name }, d.title));
    datasetSelect.value = dataset;
  }).catch(() => {});

  root.append(pageHeader('Leaderboard', 'Each contestant’s best run by validation accuracy, scored on the test set.', [datasetSelect]));
  const body = h('div', {}, loading('Loading the leaderboard…'));
  root.append(body);

  const accChart = h('div', { class: 'chart', id: 'leaderboard-chart' });
  const sizeChart = h('div', { class: 'chart', id: 'size-chart' });
  const speedChart = h('div', { class: 'chart', id: 'speed-chart' });
  const table = h('table', { class: 'data', id: 'leaderboard-table' });
  const reviewInput = h('textarea', { id: 'battle-review', rows: '3', placeholder: 'Type a review and every contestant’s best run scores it side by side.' });
  const scoreButton = h('button', { class: 'btn btn-primary', id: 'battle-score', onclick: scoreAll }, 'Score with every contestant');
  const scores = h('div', { id: 'battle-scores', style: { marginTop: '16px' } });

  api.leaderboard(dataset || undefined).then((reply) => {
    if (!alive) return;
    entries = reply.entries.filter((e) => e.run);
    if (!entries.length) {
      clear(body, h('div', { class: 'card' }, emptyState('No finished runs yet — launch one',
        'The leaderboard shows each contestant’s best finished run. Launch a run, or a Battle of every contestant.',
        { href: '#/launch', label: 'Launch a run' })));
      return;
    }
    buildPage();
    drawCharts().catch((err) => alive && body.prepend(errorState(err.message)));
  }).catch((err) => {
    if (alive) clear(body, errorState(`Could not load the leaderboard: ${err.message}`));
  });

  return () => {
    alive = false;
    purge(accChart);
    purge(sizeChart);
    purge(speedChart);
  };

  function buildPage() {
    const ranked = [...entries].sort((a, b) => (b.run.test_acc ?? -1) - (a.run.test_acc ?? -1));
    clear(table, 
      h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'Contestant'), h('th', {}, 'Best run'), h('th', {}, 'Status'),
        h('th', { class: 'num' }, 'Best val acc'), h('th', { class: 'num' }, 'Test acc'), h('th', { class: 'num' }, 'Notebook'),
        h('th', { class: 'num' }, 'Δ vs notebook'), h('th', { class: 'num' }, 'Params'), h('th', { class: 'num' }, 's / epoch'))),
      h('tbody', {}, ranked.map((e, i) => {
        const notebook = NOTEBOOK_TEST_ACC[e.architecture];
        const delta = notebook !== null && notebook !== undefined && e.run.test_acc !== null && e.run.test_acc !== undefined ? e.run.test_acc - notebook : null;
        return h('tr', { dataset: { architecture: e.architecture } },
          h('td', { class: 'num muted' }, String(i + 1)),
          h('td', {}, h('div', { style: { fontWeight: '600' } }, e.title), h('div', { class: 'mono muted' }, e.architecture)),
          h('td', { class: 'name-cell' }, h('a', { href: `#/run/${e.run.id}` }, runLabel(e.run))),
          h('td', {}, statusBadge(e.run.status)),
          h('td', { class: 'num' }, fmtPct(e.run.best_val_acc)),
          h('td', { class: 'num', style: { fontWeight: '600' } }, fmtPct(e.run.test_acc)),
          h('td', { class: 'num muted' }, notebook === undefined ? '—' : notebook === null ? 'unfinished' : fmtPct(notebook)),
          h('td', { class: `num ${delta === null ? 'muted' : delta >= 0 ? 'prob-pos-text' : 'prob-neg-text'}` }, delta === null ? '—' : `${delta >= 0 ? '+' : '−'}${(Math.abs(delta) * 100).toFixed(2)} pt`),
          h('td', { class: 'num' }, fmtInt(e.run.param_count)),
          h('td', { class: 'num' }, e.run.seconds_per_epoch === null || e.run.seconds_per_epoch === undefined ? '—' : e.run.seconds_per_epoch.toFixed(2)));
      })));
    clear(body, 
      h('section', { class: 'card' },
        h('h2', { class: 'card-title' }, 'Test accuracy against the notebook', h('span', { class: 'hint' }, 'bars: our best run · diamonds: the course notebook')),
        accChart),
      h('div', { class: 'grid-2', style: { marginTop: '24px' } },
        h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Size against accuracy', h('span', { class: 'hint' }, 'parameters, log scale')), sizeChart),
        h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Training speed', h('span', { class: 'hint' }, 'seconds per epoch')), speedChart)),
      h('section', { class: 'card table-card', style: { marginTop: '24px' } }, h('div', { class: 'table-wrap' }, table)),
      h('section', { class: 'card', style: { marginTop: '24px' } },
        h('h2', { class: 'card-title' }, 'Score a review with every contestant'),
        reviewInput, h('div', { style: { marginTop: '8px' } }, scoreButton), scores));
  }

  async function drawCharts() {
    // one slot per contestant that has a run or a notebook figure, best first
    const byName = new Map(entries.map((e) => [e.architecture, e]));
    const names = [...new Set([...entries.map((e) => e.architecture), ...Object.keys(NOTEBOOK_TEST_ACC)])]
      .sort((a, b) => (byName.get(b)?.run.test_acc ?? -1) - (byName.get(a)?.run.test_acc ?? -1));
    const labels = names.map((n) => escapeForPlotly(n));
    const slots = names.map((_, i) => i);
    const ours = names.map((n) => byName.get(n)?.run.test_acc ?? null);
    const notebook = names.map((n) => NOTEBOOK_TEST_ACC[n] ?? null);
    const runText = names.map((n) => (byName.get(n) ? escapeForPlotly(`${byName.get(n).title}: ${runLabel(byName.get(n).run)}`) : 'no run yet'));
    const annotations = names.flatMap((n, i) => {
      const notes = [];
      if (n in NOTEBOOK_TEST_ACC && NOTEBOOK_TEST_ACC[n] === null) {
        notes.push({ x: i + 0.2, y: 0.02, yanchor: 'bottom', text: 'notebook:<br>unfinished', showarrow: false, font: { size: 10, color: '#7a8494' } });
      }
      if (!byName.get(n)) notes.push({ x: i - 0.18, y: 0.02, yanchor: 'bottom', text: 'no run', showarrow: false, font: { size: 10, color: '#7a8494' } });
      return notes;
    });
    await draw(accChart, [
      {
        type: 'bar', name: 'ours (best run)', x: slots.map((i) => i - 0.18), y: ours, width: 0.36,
        marker: { color: ACCENT }, text: ours.map((v) => (v === null ? '' : fmtPct(v, 1))), ...OUTSIDE_BAR_TEXT,
        customdata: runText, hovertemplate: '%{customdata}<br>test accuracy <b>%{y:.2%}</b><extra></extra>',
      },
      {
        type: 'scatter', mode: 'markers', name: 'notebook', x: slots.map((i) => i + 0.2), y: notebook,
        marker: { symbol: 'diamond', size: 13, color: NOTEBOOK_COLOUR, line: { color: '#fff', width: 1.5 } },
        hovertemplate: 'notebook<br>test accuracy <b>%{y:.2%}</b><extra></extra>',
      },
    ], baseLayout({
      xaxis: { tickvals: slots, ticktext: labels, range: [-0.6, names.length - 0.4], showgrid: false },
      yaxis: { tickformat: '.0%', range: [0, 1.12], title: { text: 'test accuracy' } },
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.02, yanchor: 'bottom' },
      margin: { l: 64, r: 16, t: 32, b: 40 },
      shapes: [{ type: 'line', xref: 'paper', x0: 0, x1: 1, y0: 0.5, y1: 0.5, line: { color: '#d0d5dd', dash: 'dot', width: 1 } }],
      annotations,
    }));

    const sized = entries.filter((e) => e.run.param_count && e.run.test_acc !== null && e.run.test_acc !== undefined);
    await draw(sizeChart, [{
      type: 'scatter', mode: 'markers+text', x: sized.map((e) => e.run.param_count), y: sized.map((e) => e.run.test_acc),
      text: sized.map((e) => escapeForPlotly(e.architecture)), textposition: 'top center', textfont: { size: 11 },
      customdata: sized.map((e) => escapeForPlotly(e.title)),
      marker: { size: 12, color: ACCENT, opacity: 0.85, line: { color: '#fff', width: 1 } },
      hovertemplate: '%{customdata}<br>%{x:,} parameters<br>test accuracy <b>%{y:.2%}</b><extra></extra>',
      showlegend: false,
    }], baseLayout({
      xaxis: { type: 'log', title: { text: 'trainable parameters' }, range: logRange(sized.map((e) => e.run.param_count)) },
      yaxis: { tickformat: '.0%', title: { text: 'test accuracy' } },
      margin: { l: 64, r: 24, t: 24, b: 48 },
    }));

    const timed = entries.filter((e) => e.run.seconds_per_epoch !== null && e.run.seconds_per_epoch !== undefined)
      .sort((a, b) => a.run.seconds_per_epoch - b.run.seconds_per_epoch);
    await draw(speedChart, [{
      type: 'bar', orientation: 'h', y: timed.map((e) => escapeForPlotly(e.architecture)), x: timed.map((e) => e.run.seconds_per_epoch),
      marker: { color: '#98a2b3' }, text: timed.map((e) => `${e.run.seconds_per_epoch.toFixed(2)} s`), ...OUTSIDE_BAR_TEXT,
      customdata: timed.map((e) => escapeForPlotly(e.title)),
      hovertemplate: '%{customdata}<br><b>%{x:.2f} s</b> per epoch<extra></extra>', showlegend: false,
    }], baseLayout({
      xaxis: { title: { text: 'seconds per epoch' }, range: [0, Math.max(...timed.map((e) => e.run.seconds_per_epoch), 0.001) * 1.25] },
      yaxis: { autorange: 'reversed' },
      margin: { l: 96, r: 48, t: 24, b: 48 },
    }));
  }

  async function scoreAll() {
    const text = reviewInput.value.trim();
    if (!text) {
      clear(scores, h('div', { class: 'field-error' }, 'Type a review first.'));
      return;
    }
    scoreButton.disabled = true;
    clear(scores, loading('Scoring with every contestant…'));
    const results = await Promise.allSettled(entries.map((e) => api.predict(e.run.id, text)));
    scoreButton.disabled = false;
    if (!alive) return;
    const rows = entries.map((e, i) => ({ e, r: results[i] }))
      .sort((a, b) => (b.r.value?.probability ?? -1) - (a.r.value?.probability ?? -1));
    clear(scores, h('table', { class: 'data', id: 'battle-score-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Contestant'), h('th', {}, 'Run'), h('th', { style: { width: '50%' } }, 'Probability positive'))),
      h('tbody', {}, rows.map(({ e, r }) => h('tr', { dataset: { architecture: e.architecture } },
        h('td', {}, e.title),
        h('td', { class: 'name-cell' }, h('a', { href: `#/run/${e.run.id}` }, `#${e.run.id}`)),
        h('td', {}, r.status === 'fulfilled' ? probabilityBar(r.value.probability) : h('span', { class: 'muted' }, r.reason.message)))))));
  }
}
