// Plotly helpers shared by the pages: lazy loading, escaping, the house layout, colours, smoothing.

let plotlyPromise = null;

/** Load /vendor/plotly.min.js once, on the first page that draws a chart. */
export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  plotlyPromise ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/plotly.min.js';
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => {
      plotlyPromise = null;
      reject(new Error('Could not load the chart library from /vendor/plotly.min.js'));
    };
    document.head.append(script);
  });
  return plotlyPromise;
}

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Plotly renders legend names and hover text as HTML: escape user text before handing it over. */
export function escapeForPlotly(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** One colour per run (Tableau 10, readable on white). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const ACCENT = '#4f46e5';
export const NOTEBOOK_COLOUR = '#1d2433';

/** The colour of the i-th series. */
export function colour(i) {
  return PALETTE[i % PALETTE.length];
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** The house layout for a chart, merged with page-specific settings. */
export function baseLayout(overrides = {}) {
  const axis = { gridcolor: '#eef0f3', zerolinecolor: '#e4e7ec', linecolor: '#d0d5dd', tickfont: { size: 11 }, automargin: true };
  return {
    font: { family: FONT, size: 12, color: '#475467' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    margin: { l: 56, r: 16, t: 40, b: 48 },
    hovermode: 'closest',
    hoverlabel: { font: { family: FONT, size: 12 }, bordercolor: '#d0d5dd' },
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', font: { size: 12 } },
    ...overrides,
    xaxis: { ...axis, ...(overrides.xaxis || {}) },
    yaxis: { ...axis, ...(overrides.yaxis || {}) },
  };
}

/**
 * A d3 tickformat with enough decimals that ticks over these values never repeat a label.
 * Plotly places about 6 ticks; their step is ~range/5, so the label needs the decimals of that step.
 * percent: format as "53.2%" (values are shares, 0..1). Returns e.g. ".1%" or ".3f".
 */
export function tickFormat(values, { percent = false, ticks = 5 } = {}) {
  const finite = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  const scale = percent ? 100 : 1;
  const range = finite.length ? (Math.max(...finite) - Math.min(...finite)) * scale : 0;
  const step = range > 0 ? range / ticks : Math.abs(finite[0] ?? 1) * scale * 0.01 || 0.01;
  const decimals = Math.min(Math.max(Math.ceil(-Math.log10(step)), 0), 6);
  return percent ? `.${decimals}%` : `.${Math.max(decimals, 1)}f`;
}

/**
 * The epoch axis's ticks for a chart `widthPx` wide whose last epoch is `maxEpoch`: one tick per epoch while
 * each gets about 32 px (never 2.5 on a short run), else Plotly's own spacing (labels never overlap on a phone).
 */
export function epochTicks(maxEpoch, widthPx) {
  const room = Math.max((widthPx || 600) - 96, 64);   // the plot area: the chart less its axis margins
  return maxEpoch * 32 <= room ? { dtick: 1, tick0: 1 } : { tickformat: 'd' };
}

/**
 * Whole-number ticks for an axis over integer `values` (a seed, epochs, a width): {tickvals, ticktext}, at most `most`
 * ticks 1, 2 or 5 × 10^k apart (never 2.5, never 0.2), labelled "1,000". For an axis without dtick (parallel coordinates).
 */
export function integerTicks(values, most = 6) {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const wanted = Math.max((high - low) / Math.max(most - 1, 1), 1);
  const power = 10 ** Math.floor(Math.log10(wanted));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= wanted);
  const tickvals = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high; tick += step) tickvals.push(tick);
  return { tickvals, ticktext: tickvals.map((tick) => tick.toLocaleString('en-US')) };
}

/**
 * Value labels above (or beside) bars: drawn outside the plot area when they need to (never cut at the
 * top), shrunk to the bar's width rather than spilling over a neighbour. Spread into a bar trace.
 */
export const OUTSIDE_BAR_TEXT = { textposition: 'outside', cliponaxis: false, constraintext: 'both', textfont: { size: 11 } };

/** Chart options: responsive, no logo, a trimmed mode bar. */
export const CHART_CONFIG = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d', 'toggleSpikelines'],
};

/** Draw (or redraw in place) a chart into a div. */
export async function draw(div, traces, layout) {
  const Plotly = await loadPlotly();
  return Plotly.react(div, traces, layout, CHART_CONFIG);
}

/** Free a chart's listeners and memory when its page goes away. */
export function purge(div) {
  if (window.Plotly && div) window.Plotly.purge(div);
}

/** Exponential moving average (TensorBoard style, debiased); weight 0 returns the values. */
export function ema(values, weight) {
  if (!weight) return values.slice();
  const out = [];
  let last = 0;
  let count = 0;
  for (const v of values) {
    if (v === null || v === undefined || Number.isNaN(v)) {
      out.push(null);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count += 1;
    out.push(last / (1 - weight ** count));
  }
  return out;
}

/** Running sums of the per-epoch seconds: the wall time at the end of each epoch. */
export function cumulative(values) {
  let total = 0;
  return values.map((v) => (total += v || 0));
}

/** A line for one metric series: train dashed, validation solid. */
export function metricTrace({ x, y, name, color, split, legendgroup, showlegend = true, text }) {
  return {
    type: 'scatter',
    mode: 'lines+markers',
    x,
    y,
    name: escapeForPlotly(name),
    legendgroup,
    showlegend,
    text: text ? text.map(escapeForPlotly) : undefined,
    line: { color, width: 2, dash: split === 'train' ? 'dash' : 'solid', shape: 'linear' },
    marker: { color, size: split === 'train' ? 4 : 6 },
    meta: [split],
    hovertemplate: '%{fullData.name}<br>%{x}: <b>%{y:.4f}</b><extra></extra>',
  };
}
