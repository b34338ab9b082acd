// Run page: config, status, timings, live learning curves from the run's own SSE stream, its System samples and Log,
// its Errors, review scoring.

import { api, openStream, isLive, isPaused } from '../api.js';
import { h, clear, fmtInt, fmtPct, fmtNum, fmtDuration, fmtDate, fmtValue } from '../dom.js';
import {
  statusBadge, setBadge, progressBar, pageHeader, loading, errorState, toast, probabilityBar,
  cancelRun, cloneRun, deleteRun, isStale, ACTIVE_STATUSES, UNFINISHED_STATUSES,
} from '../widgets.js';
import { draw, purge, baseLayout, metricTrace, ACCENT } from '../charts.js';
import { GROUP_NAMES, groupOf, shownHyperparams, sortedNames } from '../hyperparams.js';
import { errorsSection } from './errors.js';
import { systemCard, logCard } from './run_telemetry.js';

const TRAIN_COLOUR = '#f28e2b';

/** The four curves of a run from its epoch rows: x and the per-split series of a metric. */
function series(rows, key) {
  return {
    x: rows.map((r) => r.epoch),
    train: rows.map((r) => r[`train_${key}`]),
    val: rows.map((r) => r[`val_${key}`]),
  };
}

/** Mount the run page for the run id in the route; returns its cleanup. */
export function mount(root, { route, navigate }) {
  const id = Number(route.arg);
  const metrics = new Map();       // epoch -> metric row
  const steps = [];                // {x: fractional epoch, loss}: each progress report's training loss, as it arrives
  let run = null;
  let stream = null;
  let alive = true;
  let redrawQueued = false;
  let ticker = null;
  let runReceivedAt = 0;

  if (!Number.isInteger(id) || id < 1) {
    root.append(errorState(`“${route.arg ?? ''}” is not a run id.`));
    return () => {};
  }
  const body = h('div', {}, loading(`Loading run #${id}…`));
  root.append(body);

  // the page's parts, filled by update()
  const title = h('h1', { class: 'page-title', id: 'run-title' });
  const badge = statusBadge('queued');
  const subtitle = h('div', { class: 'page-subtitle' });
  const actions = h('div', { class: 'page-actions' });
  const errorHost = h('div', { id: 'run-error-host' });
  const bar = progressBar({ status: 'queued', epochs_total: 1, epochs_done: 0 });
  bar.el.classList.add('progress-lg');
  bar.el.id = 'run-progress';
  const stats = h('div', { class: 'stats' });
  const lossChart = h('div', { class: 'chart', id: 'loss-chart' });
  const accChart = h('div', { class: 'chart', id: 'accuracy-chart' });
  const details = h('table', { class: 'kv', id: 'run-details' });
  const config = h('table', { class: 'kv', id: 'run-config' });
  const reviewInput = h('textarea', { id: 'review-text', rows: '4', placeholder: 'Type a movie review, e.g. “A moving story with superb acting.”' });
  const predictButton = h('button', { class: 'btn btn-primary', id: 'predict-button', onclick: predict }, 'Score review');
  const predictResult = h('div', { class: 'predict-result', id: 'predict-result' });
  const predictHint = h('div', { class: 'field-help' });
  const errors = errorsSection(id);
  const system = systemCard(id);
  const runLog = logCard(id);

  stream = openStream(`/api/runs/${id}/events`, {
    status: (r) => setRun(r),
    progress: (p) => {
      if (p.loss !== null && p.loss !== undefined && Number.isFinite(p.loss)) {
        steps.push({ x: p.epoch - 1 + p.fraction, loss: p.loss });  // position in epochs: 1.0 is the end of epoch 1
        queueRedraw();
      }
      if (!run) return;
      run = { ...run, progress: { epoch: p.epoch, fraction: p.fraction, loss: p.loss } };
      bar.update(run);
    },
    epoch: (row) => {
      metrics.set(row.epoch, row);
      if (run && row.epoch > (run.epochs_done || 0)) run = { ...run, epochs_done: row.epoch };
      if (run) bar.update(run);
      queueRedraw();
    },
    telemetry: (t) => {
      if (t.complete) {
        system.add(t.samples);
        runLog.add(t.lines);
      } else {   // a batch too large for one event: read it
        system.load();
        runLog.load();
      }
    },
    end: (r) => {
      setRun(r);
      stream.close();
      refetchMetrics();
      runLog.load();   // the last lines and a failed run's traceback
      system.load();
    },
    reconnected: () => refetchRun(),   // events may have been lost meanwhile: read the truth again
  });

  Promise.all([api.getRun(id), api.metrics(id)]).then(([r, rows]) => {
    if (!alive) return;
    for (const row of rows) if (!metrics.has(row.epoch)) metrics.set(row.epoch, row);
    if (!run || !isStale(run, r)) {
      run = r;
      runReceivedAt = performance.now();
    }
    buildPage();
    update();
    queueRedraw();
    system.load();
    runLog.load();
  }).catch((err) => {
    if (!alive) return;
    stream.close();
    clear(body, errorState(err.message), h('p', {}, h('a', { href: '#/runs' }, '← Back to all runs')));
  });

  return () => {
    alive = false;
    stream.close();
    clearInterval(ticker);
    purge(lossChart);
    purge(accChart);
    errors.cleanup();
    system.cleanup();
  };

  function buildPage() {
    clear(body, 
      h('div', { class: 'page-header' },
        h('div', { class: 'page-heading' }, title, subtitle),
        actions),
      errorHost,
      h('section', { class: 'card', style: { marginBottom: '24px' } },
        h('div', { class: 'card-title' }, 'Progress', h('span', { class: 'hint', id: 'run-progress-hint' })), bar.el),
      stats,
      h('div', { class: 'run-layout', style: { marginTop: '24px' } },
        h('div', { class: 'stack' },
          h('section', { class: 'card' },
            h('h2', { class: 'card-title' }, 'Learning curves', h('span', { class: 'hint' }, 'train dashed · validation solid')),
            h('div', { class: 'grid-2' }, lossChart, accChart)),
          system.el,
          runLog.el,
          errors.el,
          h('section', { class: 'card', id: 'score-card', hidden: !run.has_checkpoint },
            h('h2', { class: 'card-title' }, 'Score a review', h('span', { class: 'hint' }, 'probability that it is positive')),
            reviewInput,
            h('div', { style: { display: 'flex', gap: '16px', alignItems: 'center', marginTop: '8px' } }, predictButton, predictHint),
            predictResult)),
        h('div', { class: 'stack' },
          h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Details'), details),
          h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Hyperparameters'), config))));
    reviewInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) predict();
    });
    ticker = setInterval(tickDuration, 1000);
  }

  function setRun(r) {
    if (run && isStale(run, r)) return;
    const statusChanged = !run || run.status !== r.status;
    run = r;
    runReceivedAt = performance.now();
    if (!title.isConnected) return;  // the page is built when the first fetch lands
    update();
    if (statusChanged) queueRedraw();
  }

  function update() {
    errors.setRun(run);
    if (run.has_predictions) errors.load();
    system.setRun(run);
    runLog.setRun(run);
    title.textContent = run.name;
    document.title = `${run.name} · IMDB Battlefield`;
    setBadge(badge, run.status);
    clear(subtitle, badge, h('span', { class: 'muted' }, `#${run.id}`), h('span', {}, run.architecture), h('span', { class: 'muted' }, 'on'), h('span', {}, run.dataset),
      (run.tags || []).map((t) => h('a', { class: 'tag', href: `#/runs?tag=${encodeURIComponent(t)}`, title: `Runs tagged ${t}` }, t)));
    clear(actions, 
      UNFINISHED_STATUSES.has(run.status)
        ? h('button', { class: 'btn', disabled: run.status === 'cancelling', onclick: onCancel, id: 'cancel-button' }, run.status === 'cancelling' ? 'Cancelling…' : 'Cancel')
        : null,
      h('button', { class: 'btn', onclick: onEdit, id: 'edit-button', title: 'Change the name, tags and notes' }, 'Edit'),
      h('button', { class: 'btn', onclick: onClone, id: 'clone-button', title: 'Queue a copy with the same settings' }, 'Clone'),
      h('a', { class: 'btn', href: `#/launch?from=${run.id}`, id: 'clone-changes-button', title: 'Open the launch form filled with this run’s settings' }, 'Clone with changes'),
      h('a', { class: 'btn', href: `/api/runs/${run.id}/metrics.csv`, download: `run-${run.id}-epochs.csv`, id: 'download-epochs', title: 'The epoch rows as CSV' }, 'Epochs CSV'),
      run.has_checkpoint ? h('a', { class: 'btn', href: `/api/runs/${run.id}/checkpoint`, download: `run-${run.id}.pt`, id: 'download-checkpoint', title: 'The trained weights (torch checkpoint)' }, 'Checkpoint') : null,
      h('button', { class: 'btn btn-danger', onclick: onDelete, id: 'delete-button', disabled: ACTIVE_STATUSES.has(run.status), title: run.status === 'running' ? 'Cancel the run before deleting it' : null }, 'Delete'));
    clear(errorHost);
    if (run.status === 'failed' && run.error) {
      errorHost.append(h('div', { class: 'error-box', id: 'run-error', role: 'alert', style: { marginBottom: '24px' } },
        h('span', { class: 'error-title' }, 'This run failed'), run.error,
        h('button', { class: 'btn btn-link', id: 'show-traceback', onclick: () => runLog.showTraceback() }, 'Its log and traceback ↓')));
    }
    bar.update(run);
    const hint = document.getElementById('run-progress-hint');
    if (hint) hint.textContent = run.progress?.loss !== null && run.progress?.loss !== undefined && run.status === 'running' ? `batch loss ${fmtNum(run.progress.loss)}` : '';
    renderStats();
    renderDetails();
    renderConfig();
    predictHint.textContent = `Uses run #${run.id}’s checkpoint.`;
    const scoreCard = document.getElementById('score-card');
    if (scoreCard) scoreCard.hidden = !run.has_checkpoint;  // only a saved checkpoint can score a review
  }

  /** The line under the test accuracy: its loss, when it comes, or why it never will. */
  function testNote(r) {
    if (r.test_loss !== null && r.test_loss !== undefined) return `loss ${fmtNum(r.test_loss)}`;
    if (r.status === 'failed' || r.status === 'cancelled') return `none: ${r.status} before its test`;
    return r.status === 'succeeded' ? 'not recorded' : 'after training';
  }

  function stat(label, value, sub, idName) {
    return h('div', { class: 'stat', id: idName }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-sub' }, sub || ' '));
  }

  function renderStats() {
    clear(stats, 
      stat('Best val accuracy', fmtPct(run.best_val_acc), run.best_epoch ? `epoch ${run.best_epoch} · loss ${fmtNum(run.best_val_loss)}` : null, 'stat-best-val'),
      stat('Test accuracy', fmtPct(run.test_acc), testNote(run), 'stat-test'),
      stat('Parameters', fmtInt(run.param_count), 'trainable or not', 'stat-params'),
      stat('Seconds / epoch', run.seconds_per_epoch === null || run.seconds_per_epoch === undefined ? '—' : run.seconds_per_epoch.toFixed(2), `${run.epochs_done} of ${run.epochs_total} epochs`, 'stat-speed'),
      h('div', { class: 'stat', id: 'stat-duration' }, h('div', { class: 'stat-label' }, 'Duration'),
        h('div', { class: 'stat-value', id: 'run-duration' }, fmtDuration(run.duration_seconds)),
        h('div', { class: 'stat-sub' }, run.device ? `on ${run.device}` : 'not started')));
  }

  function tickDuration() {
    if (!isLive() || isPaused()) return;   // the clock stops while the backend is unreachable or the tab hidden
    if (!run || !ACTIVE_STATUSES.has(run.status) || run.duration_seconds === null) return;
    const el = document.getElementById('run-duration');
    if (el) el.textContent = fmtDuration(run.duration_seconds + (performance.now() - runReceivedAt) / 1000);
  }

  function renderDetails() {
    const row = (label, value) => h('tr', {}, h('td', {}, label), h('td', {}, value));
    clear(details, 
      row('Status', statusBadge(run.status)),
      row('Contestant', run.architecture),
      row('Dataset', run.dataset),
      row('Created', fmtDate(run.created_at)),
      row('Started', fmtDate(run.started_at)),
      row('Finished', fmtDate(run.finished_at)),
      row('Device', run.device || '—'),
      row('Worker', run.worker || '—'),
      row('Attempts', String(run.attempts ?? 0)),
      run.clone_of ? row('Cloned from', h('a', { href: `#/run/${run.clone_of}` }, `#${run.clone_of}`)) : null,
      row('Checkpoint', run.has_checkpoint ? 'saved' : 'none yet'),
      run.notes ? row('Notes', h('span', { style: { whiteSpace: 'pre-wrap' } }, run.notes)) : null);
  }

  function renderConfig() {
    const hp = shownHyperparams(run.hyperparams || {});
    const names = sortedNames(Object.keys(hp));
    clear(config);
    for (const group of GROUP_NAMES) {
      const members = names.filter((n) => groupOf(n) === group);
      if (!members.length) continue;
      config.append(h('tr', { class: 'group-row' }, h('td', { colspan: '2' }, group)));
      for (const name of members) config.append(h('tr', {}, h('td', { class: 'mono' }, name), h('td', { class: 'num' }, fmtValue(hp[name]))));
    }
  }

  function queueRedraw() {
    if (redrawQueued || !title.isConnected) return;
    redrawQueued = true;
    requestAnimationFrame(() => {
      redrawQueued = false;
      if (alive) drawCharts();
    });
  }

  async function drawCharts() {
    const rows = [...metrics.values()].sort((a, b) => a.epoch - b.epoch);
    const total = run?.epochs_total || Math.max(rows.length, 1);
    const chart = async (div, key, titleText, yFormat) => {
      const s = series(rows, key);
      const live = key === 'loss' && steps.length > 0;
      const empty = rows.length === 0 && !live;
      const traces = [
        metricTrace({ x: s.x, y: s.train, name: 'train', color: TRAIN_COLOUR, split: 'train' }),
        metricTrace({ x: s.x, y: s.val, name: 'validation', color: ACCENT, split: 'validation' }),
      ];
      if (live) {  // per-step training loss, drawn as the reports arrive, beside the per-epoch points
        traces.push({
          type: 'scatter', mode: 'lines', name: 'train (per report)', x: steps.map((p) => p.x), y: steps.map((p) => p.loss),
          line: { color: TRAIN_COLOUR, width: 1 }, opacity: 0.45,
          hovertemplate: 'batch loss<br>epoch %{x:.2f}: <b>%{y:.4f}</b><extra></extra>',
        });
      }
      const shapes = run?.best_epoch && key === 'acc'
        ? [{ type: 'line', x0: run.best_epoch, x1: run.best_epoch, yref: 'paper', y0: 0, y1: 1, line: { color: '#98a2b3', width: 1, dash: 'dot' } }]
        : [];
      const layout = baseLayout({
        title: { text: titleText, x: 0, xanchor: 'left', font: { size: 14, color: '#1d2433' } },
        xaxis: { title: { text: 'epoch' }, range: [live ? 0 : 0.8, Math.max(total, rows.length) + 0.2], dtick: total <= 20 ? 1 : undefined },
        yaxis: { tickformat: yFormat, rangemode: key === 'loss' ? 'tozero' : 'normal', range: empty ? [0, 1] : undefined },
        legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.02, yanchor: 'bottom' },
        margin: { l: 56, r: 16, t: 40, b: 48 },
        shapes,
        annotations: empty ? [{ text: UNFINISHED_STATUSES.has(run?.status) ? 'Waiting for the first epoch…' : 'No epochs recorded', showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, font: { color: '#7a8494', size: 13 } }] : [],
      });
      await draw(div, traces, layout);
    };
    try {
      await Promise.all([chart(lossChart, 'loss', 'Loss', '.3f'), chart(accChart, 'acc', 'Accuracy', '.1%')]);
    } catch (err) {
      if (alive) toast(err.message, 'error');
    }
  }

  async function refetchRun() {
    try {
      const [r] = await Promise.all([api.getRun(id), refetchMetrics(), system.load(), runLog.load()]);
      if (!alive) return;
      run = null;   // the fetched run is the truth, even if it looks older than what the stream said
      setRun(r);
      queueRedraw();
    } catch {
      /* still unreachable: the next reconnect tries again */
    }
  }

  async function refetchMetrics() {
    try {
      const rows = await api.metrics(id);
      for (const row of rows) metrics.set(row.epoch, row);
      queueRedraw();
    } catch {
      /* the stream already delivered what it could */
    }
  }

  async function predict() {
    const text = reviewInput.value.trim();
    if (!text) {
      clear(predictResult, h('div', { class: 'field-error' }, 'Type a review first.'));
      return;
    }
    predictButton.disabled = true;
    clear(predictResult, loading('Scoring…'));
    try {
      const result = await api.predict(id, text);
      clear(predictResult, probabilityBar(result.probability));
      predictResult.dataset.probability = String(result.probability);
    } catch (err) {
      clear(predictResult, errorState(err.message));
      delete predictResult.dataset.probability;
    } finally {
      predictButton.disabled = false;
    }
  }

  async function onCancel() {
    const updated = await cancelRun(run);
    if (updated) setRun(updated);
  }

  /** Inline editor for the labels (PATCH /api/runs/{id}); replaces itself with the page on save or cancel. */
  function onEdit() {
    if (document.getElementById('edit-form')) return;
    const nameInput = h('input', { type: 'text', id: 'edit-name', value: run.name, maxlength: '200', 'aria-label': 'Name' });
    const tagsInput = h('input', { type: 'text', id: 'edit-tags', value: (run.tags || []).join(', '), 'aria-label': 'Tags', placeholder: 'e.g. baseline, v2' });
    const notesInput = h('textarea', { id: 'edit-notes', rows: '3', 'aria-label': 'Notes' }, run.notes || '');
    const error = h('div', { class: 'field-error', id: 'edit-error' });
    const close = () => form.remove();
    const form = h('form', { class: 'card edit-form', id: 'edit-form', style: { marginBottom: '24px' }, onsubmit: async (event) => {
      event.preventDefault();
      const body = { name: nameInput.value.trim(), tags: tagsInput.value.split(',').map((t) => t.trim()).filter(Boolean), notes: notesInput.value };
      if (!body.name) {
        error.textContent = 'name must not be empty';
        nameInput.focus();
        return;
      }
      try {
        setRun(await api.updateRun(run.id, body));
        toast(`Saved run #${run.id}`, 'ok');
        close();
      } catch (err) {
        error.textContent = err.message;
      }
    } },
    h('h2', { class: 'card-title' }, 'Edit labels'),
    h('div', { class: 'fields' },
      h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'edit-name' }, 'name'), nameInput),
      h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'edit-tags' }, 'tags'), tagsInput, h('div', { class: 'field-help' }, 'Comma separated.')),
      h('div', { class: 'field field-wide' }, h('label', { class: 'field-label', for: 'edit-notes' }, 'notes'), notesInput)),
    error,
    h('div', { class: 'modal-actions', style: { marginTop: '12px' } },
      h('button', { type: 'button', class: 'btn', onclick: close }, 'Cancel'),
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'edit-save' }, 'Save')));
    errorHost.before(form);
    nameInput.focus();
  }

  async function onClone() {
    const clone = await cloneRun(run);
    if (clone) navigate(`#/run/${clone.id}`);
  }

  async function onDelete() {
    if (await deleteRun(run)) navigate('#/runs');
  }
}
