// Leaderboard page: one dataset at a time, contestants ranked by their group's mean test accuracy with
// 95 % intervals, the leader's significance tests in words, the notebook beside imdb/aclimdb only.

import { api } from '../api.js';
import { h, clear, fmtInt, fmtPct, runLabel } from '../dom.js';
import { pageHeader, loading, errorState, emptyState, probabilityBar } from '../widgets.js';
import { draw, purge, baseLayout, escapeForPlotly, ACCENT, NOTEBOOK_COLOUR } from '../charts.js';
import { NOTEBOOK_TEST_ACC } from '../meta.js';  // its protocol: Keras IMDB; null: its cell never finished


/** The datasets beside which the notebook's figures mean something (the same reviews). */
export const NOTEBOOK_DATASETS = ['imdb', 'aclimdb'];

/** "85.05% ± 0.41" style: the mean and, for N >= 2, the sd in points. */
export function meanSd(spread) {
  if (!spread || spread.mean === null) return '—';
  return spread.sd === null ? fmtPct(spread.mean) : `${fmtPct(spread.mean)} ± ${(spread.sd * 100).toFixed(2)}`;
}

/** The 95 % interval of an accuracy within what an accuracy can be, 0 to 1 (Student-t can pass 100 % over few seeds). */
export function clippedInterval(spread) {
  return [Math.max(spread.ci_low, 0), Math.min(spread.ci_high, 1)];
}

/** "84.2% – 85.9%" for an accuracy's 95 % interval (clipped to 0–100 %), `none` without one (N < 2). */
export function interval(spread, none = '1 seed') {
  if (!spread || spread.ci_low === null || spread.ci_high === null) return none;
  const [low, high] = clippedInterval(spread);
  return `${fmtPct(low, 1)} – ${fmtPct(high, 1)}`;
}

/** An entry's seeds as the chart says them: '1 seed' or 'n=3'. */
export function seedsLabel(entry) {
  return entry.single_seed ? '1 seed' : `n=${entry.group.test_acc.n}`;
}

/**
 * The chart's bar trace of the entries' mean test accuracies, each with its 95 % interval (clipped to 0–100 %) as an
 * error bar; an entry of one seed has no spread, so no bar at all (NaN: Plotly draws none) (its tick says "1 seed").
 * `width`: the bars' width in slots. Also returns the lowest point drawn (`low`), for the axis.
 */
export function accuracyBars(entries, width) {
  const means = entries.map((e) => e.group.test_acc.mean);
  const ranges = entries.map((e) => (e.group.test_acc.ci_low === null || e.group.test_acc.ci_high === null
    ? null : clippedInterval(e.group.test_acc)));
  const label = (e) => (e.single_seed ? `${meanSd(e.group.test_acc)}, 1 seed` : `${meanSd(e.group.test_acc)}, 95% CI ${interval(e.group.test_acc)}`);
  return {
    low: Math.min(...entries.map((_, i) => (ranges[i] ? ranges[i][0] : means[i]))),
    trace: {
      type: 'bar', name: 'group mean (95% CI)', x: entries.map((_, i) => i), y: means, width, marker: { color: ACCENT },
      error_y: { type: 'data', symmetric: false, array: ranges.map((r, i) => (r ? r[1] - means[i] : NaN)),
        arrayminus: ranges.map((r, i) => (r ? means[i] - r[0] : NaN)), color: '#1d2433', thickness: 1.5, width: 6 },
      customdata: entries.map((e) => escapeForPlotly(`${e.title}: ${label(e)}`)),
      hovertemplate: '%{customdata}<extra></extra>',
    },
  };
}

/** A p-value as text: 3 decimals, or 2 significant digits below 0.001. */
export function fmtP(p) {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

/** Mount the leaderboard page; returns its cleanup. */
export function mount(root, { route, datasets }) {
  let alive = true;
  let entries = [];
  const asked = route.params.get('dataset') || '';
  const datasetSelect = h('select', { 'aria-label': 'Dataset', id: 'leaderboard-dataset' });
  datasetSelect.addEventListener('change', () => {
    location.hash = `#/leaderboard?dataset=${encodeURIComponent(datasetSelect.value)}`;
  });
  root.append(pageHeader('Leaderboard',
    'One dataset at a time. Succeeded runs with a test figure, grouped by configuration over seeds, ranked by mean test accuracy.',
    [datasetSelect]));
  const body = h('div', {}, loading('Loading the leaderboard…'));
  root.append(body);
  const accChart = h('div', { class: 'chart', id: 'leaderboard-chart' });
  const table = h('table', { class: 'data', id: 'leaderboard-table' });
  const verdicts = h('table', { class: 'data stack-on-phone', id: 'significance-table' });
  const reviewInput = h('textarea', { id: 'battle-review', rows: '3', placeholder: 'Type a review and every contestant’s best run scores it side by side.' });
  const scoreButton = h('button', { class: 'btn btn-primary', id: 'battle-score', onclick: scoreAll }, 'Score with every contestant');
  const scores = h('div', { id: 'battle-scores', style: { marginTop: '16px' } });

  Promise.all([api.leaderboard(asked || undefined), datasets().catch(() => [])]).then(([board, catalogue]) => {
    if (!alive) return;
    const titles = new Map(catalogue.map((d) => [d.name, d.title]));
    const counts = new Map(board.datasets.map((d) => [d.name, d.qualifying_runs]));
    const names = [...new Set([...catalogue.map((d) => d.name), ...counts.keys(), ...(board.dataset ? [board.dataset] : [])])];
    clear(datasetSelect, names.map((name) => h('option', { value: name },
      `${titles.get(name) || name} (${fmtInt(counts.get(name) || 0)} runs)`)));
    datasetSelect.value = board.dataset || asked;
    entries = board.entries;
    if (!entries.length) {
      clear(body, h('div', { class: 'card' }, emptyState(
        board.dataset ? `No qualifying run on ${board.dataset} yet` : 'No finished runs yet — launch one',
        'Only succeeded runs with a test accuracy rank; cancelled, failed and running runs never do. Launch a Battle with 3 seeds to see intervals and significance.',
        { href: '#/launch', label: 'Launch a run' })));
      return;
    }
    buildPage(board);
    drawChart(board).catch((err) => alive && body.prepend(errorState(err.message)));
  }).catch((err) => {
    if (alive) clear(body, errorState(`Could not load the leaderboard: ${err.message}`));
  });

  return () => {
    alive = false;
    purge(accChart);
  };

  function buildPage(board) {
    const notebook = NOTEBOOK_DATASETS.includes(board.dataset);
    clear(table,
      h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'Contestant'), h('th', { class: 'num' }, 'Seeds'),
        h('th', { class: 'num' }, 'Test acc (mean ± sd)'), h('th', { class: 'num' }, '95% CI'), h('th', { class: 'num' }, 'Best val acc'),
        notebook ? h('th', { class: 'num', title: 'The course notebook’s figure, under its own protocol' }, 'Notebook') : null,
        h('th', {}, 'Best run'), h('th', { class: 'num' }, 'Params'), h('th', { class: 'num' }, 's / epoch'))),
      h('tbody', {}, entries.map((e) => {
        const figure = NOTEBOOK_TEST_ACC[e.architecture];
        return h('tr', { dataset: { architecture: e.architecture } },
          h('td', { class: 'num muted' }, String(e.rank)),
          h('td', {}, h('div', { style: { fontWeight: '600' } }, e.title), h('div', { class: 'mono muted' }, e.architecture)),
          h('td', { class: 'num' }, e.single_seed ? h('span', { class: 'seed-note' }, '1 seed') : String(e.group.test_acc.n)),
          h('td', { class: 'num', style: { fontWeight: '600' } }, meanSd(e.group.test_acc)),
          h('td', { class: 'num muted' }, interval(e.group.test_acc)),
          h('td', { class: 'num' }, meanSd(e.group.best_val_acc)),
          notebook ? h('td', { class: 'num muted' }, figure === undefined ? '—' : figure === null ? 'unfinished' : fmtPct(figure)) : null,
          h('td', { class: 'name-cell' }, h('a', { href: `#/run/${e.best_run.id}` }, runLabel(e.best_run))),
          h('td', { class: 'num' }, fmtInt(e.group.param_count)),
          h('td', { class: 'num' }, e.group.seconds_per_epoch === null ? '—' : e.group.seconds_per_epoch.toFixed(1)));
      })));
    const leader = entries[0];
    const tested = new Set(board.significance.map((s) => s.other));
    const untested = entries.slice(1).filter((e) => !tested.has(e.architecture));
    clear(verdicts,
      h('thead', {}, h('tr', {}, h('th', {}, 'Leader vs'), h('th', { class: 'num' }, 'p-value'), h('th', {}, 'Test'), h('th', {}, 'Reading'))),
      h('tbody', {},
        board.significance.map((s) => h('tr', { dataset: { other: s.other } },   // data-label: named on a phone
          h('td', { style: { fontWeight: '600' } }, `${s.leader} vs ${s.other}`),
          h('td', { class: 'num', style: { fontWeight: '600' }, dataset: { label: 'p-value' } }, fmtP(s.p_value)),
          h('td', { class: 'cell-wide' }, h('div', {}, s.test), h('div', { class: 'muted small' }, s.detail)),
          h('td', { class: `cell-wide ${s.significant ? 'prob-pos-text' : 'muted'}` }, s.reading))),
        untested.map((e) => h('tr', { dataset: { other: e.architecture } },
          h('td', { style: { fontWeight: '600' } }, `${leader.architecture} vs ${e.architecture}`),
          h('td', { class: 'muted cell-wide', colspan: '3' }, 'no test possible: needs 2 seeds on both sides, or both best runs’ kept test predictions')))));
    clear(body,
      h('section', { class: 'card' },
        h('h2', { class: 'card-title' }, `Test accuracy on ${board.dataset}`,
          h('span', { class: 'hint' }, notebook ? 'bars: group mean with 95% CI · diamonds: the notebook (its protocol)' : 'bars: group mean with 95% CI')),
        accChart),
      h('section', { class: 'card', style: { marginTop: '24px' } },
        h('h2', { class: 'card-title' }, 'Is the leader really ahead?', h('span', { class: 'hint' }, 'two-sided, α = 0.05')),
        h('div', { class: 'table-wrap' }, verdicts)),
      h('section', { class: 'card table-card', style: { marginTop: '24px' } }, h('div', { class: 'table-wrap' }, table)),
      h('section', { class: 'card', style: { marginTop: '24px' } },
        h('h2', { class: 'card-title' }, 'Score a review with every contestant'),
        reviewInput, h('div', { style: { marginTop: '8px' } }, scoreButton), scores));
  }

  async function drawChart(board) {
    const notebook = NOTEBOOK_DATASETS.includes(board.dataset);
    const slots = entries.map((_, i) => i);
    const bars = accuracyBars(entries, notebook ? 0.5 : 0.6);
    const floor = Math.max(0, Math.floor((bars.low - 0.05) * 20) / 20);
    const traces = [bars.trace];
    if (notebook) {
      const figures = entries.map((e) => NOTEBOOK_TEST_ACC[e.architecture] ?? null);
      traces.push({
        type: 'scatter', mode: 'markers', name: 'notebook (its protocol)', x: slots.map((i) => i + 0.32), y: figures,
        marker: { symbol: 'diamond', size: 12, color: NOTEBOOK_COLOUR, line: { color: '#fff', width: 1.5 } },
        hovertemplate: 'notebook<br>test accuracy <b>%{y:.2%}</b><extra></extra>',
      });
    }
    await draw(accChart, traces, baseLayout({
      // each bar's N under its name (inside the bar it met the error bar; at its base, below a zoomed axis)
      xaxis: { tickvals: slots, ticktext: entries.map((e) => `${escapeForPlotly(e.architecture)}<br>${seedsLabel(e)}`), range: [-0.6, entries.length - 0.4], showgrid: false, zeroline: false },   // x = 0 is the first slot: its zero line looked like an error bar
      yaxis: { tickformat: '.0%', range: [floor, 1.0], title: { text: 'test accuracy' } },
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.02, yanchor: 'bottom' },
      margin: { l: 64, r: 16, t: 32, b: 40 },
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
    const results = await Promise.allSettled(entries.map((e) => api.predict(e.best_run.id, text)));
    scoreButton.disabled = false;
    if (!alive) return;
    const rows = entries.map((e, i) => ({ e, r: results[i] }))
      .sort((a, b) => (b.r.value?.probability ?? -1) - (a.r.value?.probability ?? -1));
    clear(scores, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'battle-score-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Contestant'), h('th', {}, 'Run'), h('th', { style: { width: '50%' } }, 'Probability positive'))),
      h('tbody', {}, rows.map(({ e, r }) => h('tr', { dataset: { architecture: e.architecture } },
        h('td', {}, e.title),
        h('td', { class: 'name-cell' }, h('a', { href: `#/run/${e.best_run.id}` }, `#${e.best_run.id}`)),
        h('td', {}, r.status === 'fulfilled' ? probabilityBar(r.value.probability) : h('span', { class: 'muted' }, r.reason.message))))))));
  }
}
