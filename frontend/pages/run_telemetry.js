// The run page's telemetry cards: "System" (the worker process's CPU and memory, the GPU's when on CUDA, over
// time) and "Log" (the worker's lines for the run, newest at the bottom, and a failed run's traceback). The log follows
// its tail while the run trains; a failed run's log opens at its error (the first ERROR line, else the traceback).
// Both load once (GET /api/runs/{id}/system, /logs, page by page) and then grow from the run stream's `telemetry`
// events; a later load (the run ended, the stream reconnected) fetches only what came after the last row fetched.

import { api } from '../api.js';
import { h, clear } from '../dom.js';
import { errorState } from '../widgets.js';
import { draw, purge, baseLayout, ACCENT, colour } from '../charts.js';

const LOG_PAGE = 1000;      // the routes' largest pages
const SAMPLE_PAGE = 5000;
const MIN_SPAN_S = 10;   // the System chart's shortest time axis, in seconds

/** Why a run has no samples or lines yet: "what" is 'samples' or 'lines'. */
export function emptyReason(run, what) {
  if (!run || run.status === 'queued') return `No ${what} yet: the run has not started.`;
  if (run.status === 'running' || run.status === 'cancelling') {
    return what === 'samples' ? 'No samples yet: the first comes a few seconds into training.' : 'No lines yet.';
  }
  if (!run.started_at) return `No ${what}: this run never started.`;
  return `No ${what}: this run was recorded before system metrics and logs existed.`;
}

/**
 * A loader of a run's paged rows (GET …?after=&limit=): each call fetches every page after the last row fetched and
 * hands each to `onPage`; one fetch at a time, a second call waits for the first. Resolves once done (errors go to
 * `onError`). Rows that came by events may be ahead of the cursor: a later fetch brings them again (kept once, by id).
 */
function cursorLoader(fetchPage, limit, onPage, onError) {
  let cursor = 0;
  let loading = null;
  return () => {
    loading = (loading || Promise.resolve()).then(async () => {
      try {
        for (;;) {
          const page = await fetchPage({ after: cursor, limit });
          onPage(page);
          cursor = Math.max(cursor, page.next_after);
          if (!page.more) break;
        }
      } catch (err) {
        onError(err);
      }
    });
    return loading;
  };
}

/** The "System" card of run `runId`: {el, setRun(run), add(samples), load(), cleanup()}. */
export function systemCard(runId) {
  const chart = h('div', { class: 'chart', id: 'system-chart' });
  const note = h('p', { class: 'muted', id: 'system-empty' });
  const el = h('section', { class: 'card', id: 'system-card' },
    h('h2', { class: 'card-title' }, 'System', h('span', { class: 'hint' }, 'the worker process, sampled every few seconds')),
    note, chart);
  const samples = new Map();   // t -> sample (a sample is sent once, but a reload may bring it again)
  let run = null;
  let queued = false;
  let loaded = false;          // until the first GET answers, an empty chart means "loading", not "none"

  function add(list) {
    for (const s of list || []) samples.set(s.t, s);
    redraw();
  }

  const load = cursorLoader((page) => api.system(runId, page), SAMPLE_PAGE, (page) => {
    loaded = true;
    add(page.samples);
  }, (err) => clear(note, errorState(`Could not load the system samples: ${err.message}`)));

  function redraw() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      render();
    });
  }

  function render() {
    const rows = [...samples.values()].sort((a, b) => a.t - b.t);
    note.hidden = rows.length > 0;
    chart.hidden = rows.length === 0;
    note.textContent = rows.length ? '' : loaded ? emptyReason(run, 'samples') : 'Loading the samples…';
    if (!rows.length) return;
    const x = rows.map((s) => s.t);
    const line = (name, key, color, axis, unit, dash) => ({
      type: 'scatter', mode: rows.length > 1 ? 'lines' : 'markers', name, x, y: rows.map((s) => s[key]), yaxis: axis,
      line: { color, width: 2, dash }, marker: { color, size: 6 },
      hovertemplate: `${name}<br>%{x:.0f} s: <b>%{y:.1f} ${unit}</b><extra></extra>`,
    });
    const hasGpu = rows.some((s) => s.gpu_util_percent !== null || s.gpu_mem_mb !== null);
    const traces = [
      line('CPU (process)', 'cpu_percent', ACCENT, 'y', '%'),
      line('memory used (machine)', 'memory_percent', colour(4), 'y', '%', 'dot'),
      line('RSS (process)', 'rss_mb', colour(1), 'y2', 'MiB'),
    ];
    if (hasGpu) {
      traces.push(line('GPU utilisation', 'gpu_util_percent', colour(2), 'y', '%'));
      traces.push(line('GPU memory', 'gpu_mem_mb', colour(3), 'y2', 'MiB', 'dash'));
    }
    draw(chart, traces, baseLayout({
      // at least 10 s wide: a run that failed at once has one sample at 0.08 s, and an axis of 0.01 s steps says nothing
      xaxis: { title: { text: 'seconds since the run started' }, range: [0, Math.max(x[x.length - 1], MIN_SPAN_S) * 1.03] },
      yaxis: { title: { text: '%' }, rangemode: 'tozero' },
      yaxis2: { title: { text: 'MiB' }, overlaying: 'y', side: 'right', rangemode: 'tozero', showgrid: false, automargin: true, tickfont: { size: 11 }, tickmode: 'auto', nticks: 6, tickformat: ',.0f' },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
      margin: { l: 56, r: 56, t: 40, b: 48 },
    })).catch(() => {});
  }

  return {
    el,
    setRun(r) {
      run = r;
      redraw();
    },
    add,
    load,
    cleanup: () => purge(chart),
  };
}

/** The time of a log line as HH:MM:SS in the browser's time zone (the full UTC time in its title). */
function clock(iso) {
  return new Date(iso).toLocaleTimeString('en-GB', { hour12: false });
}

/** The "Log" card of run `runId`: {el, setRun(run), add(lines), load(), showTraceback()}. */
export function logCard(runId) {
  const view = h('div', { class: 'log-view', id: 'run-log', role: 'log', tabindex: '0', 'aria-label': 'The run’s log' });
  const count = h('span', { class: 'hint', id: 'run-log-count' });
  const el = h('section', { class: 'card', id: 'log-card' }, h('h2', { class: 'card-title' }, 'Log', count), view);
  const lines = new Map();   // id -> line
  let shownUpTo = 0;         // the highest id drawn
  let traceback = null;
  let run = null;
  let loaded = false;
  let errorShown = false;    // a failed run's log was opened at its error (once, and never follows its tail after)

  function row(line) {
    return h('div', { class: `log-line log-${line.level.toLowerCase()}`, dataset: { id: String(line.id) } },
      h('span', { class: 'log-time', title: line.time }, clock(line.time)),
      h('span', { class: 'log-level' }, line.level),
      h('span', { class: 'log-message' }, line.message));
  }

  function render() {
    const atBottom = view.scrollHeight - view.scrollTop - view.clientHeight < 24;
    const sorted = [...lines.values()].sort((a, b) => a.id - b.id);
    const fresh = sorted.filter((line) => line.id > shownUpTo);
    const drawn = view.querySelectorAll('.log-line').length;
    if (drawn + fresh.length === sorted.length && !view.querySelector('.log-empty, .log-traceback, .error-box')) {
      for (const line of fresh) view.append(row(line));   // the usual case: new lines after the drawn ones
    } else {
      clear(view, sorted.map(row));
    }
    shownUpTo = sorted.length ? sorted[sorted.length - 1].id : 0;
    if (!sorted.length && !traceback) {
      view.append(h('p', { class: 'muted log-empty' }, loaded ? emptyReason(run, 'lines') : 'Loading the log…'));
    }
    if (traceback) {
      view.append(h('div', { class: 'log-traceback', id: 'run-traceback' },
        h('div', { class: 'log-traceback-title' }, 'Traceback of the failure'),
        h('pre', {}, traceback)));
    }
    count.textContent = sorted.length ? `${sorted.length.toLocaleString('en-US')} line${sorted.length === 1 ? '' : 's'}` : '';
    const error = errorNode();
    if (error && !errorShown) {
      errorShown = true;
      scrollToTop(error);
    } else if (!error && (atBottom || fresh.length === sorted.length)) {
      view.scrollTop = view.scrollHeight;   // newest at the bottom; a failed run's log stays where it opened (or the reader put it)
    }
  }

  /** A failed run's error in the view: its first ERROR or CRITICAL line, else its traceback; null for any other run. */
  function errorNode() {
    if (run?.status !== 'failed') return null;
    return view.querySelector('.log-error, .log-critical, .log-traceback');
  }

  /** Scroll the view so that `node` is at its top. */
  function scrollToTop(node) {
    view.scrollTop += node.getBoundingClientRect().top - view.getBoundingClientRect().top - 4;
  }

  function add(list) {
    for (const line of list || []) lines.set(line.id, line);
    render();
  }

  /** Fetch every line after the last one fetched (and the traceback). */
  const load = cursorLoader((page) => api.logs(runId, page), LOG_PAGE, (page) => {
    traceback = page.traceback;
    loaded = true;
    add(page.lines);
  }, (err) => clear(view, errorState(`Could not load the log: ${err.message}`)));

  return {
    el,
    setRun(r) {
      const changed = !run || run.status !== r.status;
      run = r;
      if (changed && (!lines.size && !traceback || errorNode())) render();   // the empty note, or open at the error
    },
    add,
    load,
    showTraceback() {
      el.scrollIntoView({ behavior: 'smooth', block: 'start' });
      const node = document.getElementById('run-traceback');
      if (node) scrollToTop(node);
    },
  };
}
