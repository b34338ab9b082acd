// Compare page for groups (#/compare?groups=a,b): each group's mean learning curve with a band (sd or 95% CI),
// averaged over the runs that reached each epoch; the hover says N at that epoch.

import { api } from '../api.js';
import { h, clear, fmtInt } from '../dom.js';
import { pageHeader, loading, errorState } from '../widgets.js';
import { draw, purge, baseLayout, colour, escapeForPlotly, epochTicks } from '../charts.js';
import { meanSd, interval } from './leaderboard.js';

const METRICS = [['val_acc', 'Validation accuracy'], ['val_loss', 'Validation loss'], ['train_acc', 'Train accuracy'], ['train_loss', 'Train loss']];
const BANDS = [['sd', '± 1 sd'], ['ci', '95% CI']];

/** A hex colour with an alpha, for a band's fill. */
function translucent(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** What a metric can be: an accuracy 0 to 1, a loss (cross-entropy) 0 and up. */
export function metricRange(metric) {
  return metric.endsWith('acc') ? [0, 1] : [0, Infinity];
}

/**
 * The band's low and high at one epoch, within what the metric can be (`range`: a mean ± sd or a Student-t interval
 * over few seeds passes 100 %), or nulls where it is undefined (one run, or no value).
 */
export function bandAt(spread, band, [least, most] = [-Infinity, Infinity]) {
  if (spread.mean === null || spread.sd === null) return [null, null];
  const [low, high] = band === 'ci' ? [spread.ci_low, spread.ci_high] : [spread.mean - spread.sd, spread.mean + spread.sd];
  return [Math.max(low, least), Math.min(high, most)];
}

/** The traces of one group: its band (low, then high filled to it) and its mean line. */
export function groupTraces(curve, metric, band, color, name) {
  const x = curve.points.map((p) => p.epoch);
  const spreads = curve.points.map((p) => p[metric]);
  const bounds = spreads.map((s) => bandAt(s, band, metricRange(metric)));
  const counts = curve.points.map((p) => p[metric].n);
  const common = { type: 'scatter', mode: 'lines', x, legendgroup: name, showlegend: false, hoverinfo: 'skip', line: { width: 0, color } };
  return [
    { ...common, y: bounds.map((b) => b[0]) },
    { ...common, y: bounds.map((b) => b[1]), fill: 'tonexty', fillcolor: translucent(color, 0.18) },
    {
      type: 'scatter', mode: 'lines+markers', x, y: spreads.map((s) => s.mean), name: escapeForPlotly(name), legendgroup: name,
      line: { color, width: 2 }, marker: { color, size: 6 }, customdata: counts.map((n, i) => [n, spreads[i].sd ?? 0]),
      hovertemplate: `${escapeForPlotly(name)}<br>epoch %{x}: <b>%{y:.4f}</b> ± %{customdata[1]:.4f} (sd)<br>N = %{customdata[0]} runs at this epoch<extra></extra>`,
    },
  ];
}

/** Mount the group comparison; returns its cleanup. */
export function mount(root, { route }) {
  const ids = [...new Set((route.params.get('groups') || '').split(',').map((s) => s.trim()).filter(Boolean))];
  const view = {
    metric: METRICS.some(([k]) => k === route.params.get('metric')) ? route.params.get('metric') : 'val_acc',
    band: route.params.get('band') === 'ci' ? 'ci' : 'sd',
  };
  let alive = true;
  let curves = [];
  root.append(pageHeader(`Compare ${ids.length} group${ids.length === 1 ? '' : 's'}`, 'mean curve over the seeds, band: sd or 95% CI',
    [h('a', { class: 'btn', href: '#/runs?group=1' }, 'Change selection')]));
  const body = h('div', {}, loading('Loading groups…'));
  root.append(body);
  const chart = h('div', { class: 'chart chart-lg', id: 'group-chart' });
  const table = h('table', { class: 'data', id: 'group-compare-table' });

  Promise.all(ids.map((id) => api.groupCurve(id))).then((reply) => {
    if (!alive) return;
    curves = reply;
    const metricSelect = h('select', { id: 'group-metric', 'aria-label': 'Metric' }, METRICS.map(([k, label]) => h('option', { value: k }, label)));
    metricSelect.value = view.metric;
    metricSelect.addEventListener('change', () => { view.metric = metricSelect.value; save(); drawChart(); });
    const bandSelect = h('select', { id: 'group-band', 'aria-label': 'Band' }, BANDS.map(([k, label]) => h('option', { value: k }, label)));
    bandSelect.value = view.band;
    bandSelect.addEventListener('change', () => { view.band = bandSelect.value; save(); drawChart(); });
    clear(table,
      h('thead', {}, h('tr', {}, h('th', {}, 'Group'), h('th', {}, 'Dataset'), h('th', { class: 'num' }, 'N'), h('th', { class: 'num' }, 'Done'),
        h('th', { class: 'num' }, 'Best val (mean ± sd)'), h('th', { class: 'num' }, 'Test (mean ± sd)'), h('th', { class: 'num' }, 'Test 95% CI'), h('th', { class: 'num' }, 'Params'))),
      h('tbody', {}, curves.map(({ group }, i) => h('tr', { dataset: { group: group.id } },
        h('td', {}, h('span', { class: 'swatch', style: { background: colour(i) } }), ` ${group.architecture} `, h('span', { class: 'mono muted small' }, group.id)),
        h('td', {}, group.dataset),
        h('td', { class: 'num' }, String(group.n)),
        h('td', { class: 'num' }, String(group.n_finished)),
        h('td', { class: 'num' }, meanSd(group.best_val_acc)),
        h('td', { class: 'num' }, meanSd(group.test_acc)),
        h('td', { class: 'num muted' }, interval(group.test_acc, '—')),
        h('td', { class: 'num' }, fmtInt(group.param_count))))));
    clear(body,
      h('section', { class: 'card' },
        h('div', { class: 'controls' },
          h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Metric'), metricSelect),
          h('label', { class: 'control' }, h('span', { class: 'control-label' }, 'Band'), bandSelect)),
        chart),
      h('section', { class: 'card table-card', style: { marginTop: '24px' } }, h('div', { class: 'table-wrap' }, table)));
    drawChart();
  }).catch((err) => alive && clear(body, errorState(`Could not load the groups: ${err.message}`)));

  return () => {
    alive = false;
    purge(chart);
  };

  function save() {
    history.replaceState(null, '', `#/compare?groups=${ids.join(',')}&metric=${view.metric}&band=${view.band}`);
  }

  function drawChart() {
    const traces = curves.flatMap(({ group, ...curve }, i) => groupTraces(curve, view.metric, view.band, colour(i), `${group.architecture} (${group.n} run${group.n === 1 ? '' : 's'})`));
    const lastEpoch = Math.max(1, ...curves.flatMap((curve) => curve.points.map((p) => p.epoch)));
    const accuracy = view.metric.endsWith('acc');
    return draw(chart, traces, baseLayout({
      xaxis: { title: { text: 'epoch' }, ...epochTicks(lastEpoch, chart.clientWidth) },
      yaxis: { title: { text: METRICS.find(([k]) => k === view.metric)[1] }, tickformat: accuracy ? '.0%' : null },
      hovermode: 'closest',
    }));
  }
}
