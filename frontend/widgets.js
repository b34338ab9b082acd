// Small UI pieces shared by the pages: status badge, progress bar, toasts, confirm dialog, run actions.

import { api } from './api.js';
import { h, clear } from './dom.js';

import { ACTIVE_STATUSES, STATUSES, TERMINAL_STATUSES, UNFINISHED_STATUSES } from './meta.js';

export { ACTIVE_STATUSES, TERMINAL_STATUSES, UNFINISHED_STATUSES };

/** A status's place in the lifecycle; every terminal status ranks the same (last). */
function statusRank(status) {
  return TERMINAL_STATUSES.has(status) ? STATUSES.length : Math.max(STATUSES.indexOf(status), 0);
}

/** True when `incoming` is older news about a run than `current` (events can cross a fetch). */
export function isStale(current, incoming) {
  const rankNow = statusRank(current.status);
  const rankNew = statusRank(incoming.status);
  if (rankNew !== rankNow) return rankNew < rankNow;
  return (incoming.epochs_done ?? 0) < (current.epochs_done ?? 0);
}

/** A coloured pill for a run status. */
export function statusBadge(status) {
  return h('span', { class: `badge badge-${status}`, dataset: { status } }, status);
}

/** Replace a badge's status in place. */
export function setBadge(badge, status) {
  badge.className = `badge badge-${status}`;
  badge.dataset.status = status;
  badge.textContent = status;
}

/** The share of the whole run done and a label, from its epochs and in-epoch progress. */
export function runProgress(run) {
  const total = Math.max(run.epochs_total || 1, 1);
  const done = run.epochs_done || 0;
  if (ACTIVE_STATUSES.has(run.status)) {
    const p = run.progress;
    if (p && p.epoch > done) {
      const fraction = Math.min(Math.max(p.fraction || 0, 0), 1);
      const share = Math.min((p.epoch - 1 + fraction) / total, 1);
      // the percentage is the whole run's, as the bar beside it (an epoch's own share read as the run's)
      return { share, label: `epoch ${p.epoch} of ${total} · ${Math.floor(share * 100)}%` };
    }
    return { share: done / total, label: `epoch ${Math.min(done + 1, total)} of ${total}` };
  }
  if (run.status === 'queued') return { share: 0, label: `0 of ${total}` };
  return { share: run.status === 'succeeded' ? 1 : done / total, label: `${done} of ${total} epochs` };
}

/** A thin progress bar with a label; update() it with a run object. */
export function progressBar(run) {
  const fill = h('div', { class: 'progress-fill' });
  const label = h('span', { class: 'progress-label' });
  const el = h('div', { class: 'progress' }, h('div', { class: 'progress-track' }, fill), label);
  const update = (r) => {
    const { share, label: text } = runProgress(r);
    fill.style.width = `${(share * 100).toFixed(1)}%`;
    el.dataset.status = r.status;
    label.textContent = text;
  };
  update(run);
  return { el, update };
}

/** Show a toast for a few seconds; kind is 'ok', 'error' or 'info'. */
export function toast(message, kind = 'info') {
  const host = document.getElementById('toasts');
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  host.append(el);
  setTimeout(() => el.classList.add('toast-leave'), kind === 'error' ? 6000 : 3500);
  setTimeout(() => el.remove(), kind === 'error' ? 6400 : 3900);
}

/** A modal confirmation; resolves true when the person confirms. */
export function confirmDialog({ title, body, confirmLabel = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    const close = (answer) => {
      overlay.remove();
      document.removeEventListener('keydown', onKey);
      resolve(answer);
    };
    const onKey = (event) => {
      if (event.key === 'Escape') close(false);
    };
    const confirmButton = h('button', { class: danger ? 'btn btn-danger' : 'btn btn-primary', onclick: () => close(true) }, confirmLabel);
    const overlay = h('div', { class: 'modal-overlay', onclick: (e) => e.target === overlay && close(false) },
      h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true' },
        h('h2', { class: 'modal-title' }, title),
        h('p', { class: 'modal-body' }, body),
        h('div', { class: 'modal-actions' },
          h('button', { class: 'btn', onclick: () => close(false) }, 'Keep it'),
          confirmButton)));
    document.addEventListener('keydown', onKey);
    document.body.append(overlay);
    confirmButton.focus();
  });
}

/** Cancel a run with a toast; resolves to the updated run or null. */
export async function cancelRun(run) {
  try {
    const updated = await api.cancelRun(run.id);
    toast(`Run #${run.id} ${updated.status === 'cancelling' ? 'is cancelling' : 'cancelled'}`, 'ok');
    return updated;
  } catch (err) {
    toast(err.message, 'error');
    return null;
  }
}

/** Clone a run with a toast; resolves to the new run or null. */
export async function cloneRun(run) {
  try {
    const clone = await api.cloneRun(run.id);
    toast(`Cloned #${run.id} as #${clone.id}`, 'ok');
    return clone;
  } catch (err) {
    toast(err.message, 'error');
    return null;
  }
}

/** Ask, then delete a run with a toast; resolves true when it was deleted. */
export async function deleteRun(run) {
  const sure = await confirmDialog({
    title: `Delete run #${run.id}?`,
    body: `“${run.name}” and its metrics and checkpoint will be removed. This cannot be undone.`,
    confirmLabel: 'Delete run',
    danger: true,
  });
  if (!sure) return false;
  try {
    await api.deleteRun(run.id);
    toast(`Deleted run #${run.id}`, 'ok');
    return true;
  } catch (err) {
    toast(err.message, 'error');
    return false;
  }
}

/** A centred hint for an empty list, with an optional action link. */
export function emptyState(title, hint, action) {
  return h('div', { class: 'empty' },
    h('div', { class: 'empty-title' }, title),
    hint ? h('p', { class: 'empty-hint' }, hint) : null,
    action ? h('a', { class: 'btn btn-primary', href: action.href }, action.label) : null);
}

/** A spinner with a label for a section that is loading. */
export function loading(label = 'Loading…') {
  return h('div', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
}

/** An error box for a page that could not load. */
export function errorState(message) {
  return h('div', { class: 'error-box', role: 'alert' }, message);
}

/** A page header: title (text), optional subtitle nodes, and action nodes on the right. */
export function pageHeader(title, subtitle, actions = []) {
  return h('div', { class: 'page-header' },
    h('div', { class: 'page-heading' },
      h('h1', { class: 'page-title' }, title),
      subtitle ? h('div', { class: 'page-subtitle' }, subtitle) : null),
    h('div', { class: 'page-actions' }, actions));
}

/** A horizontal probability bar (0..1) with its percentage. */
export function probabilityBar(probability) {
  const positive = probability >= 0.5;
  return h('div', { class: 'prob' },
    h('div', { class: 'prob-track' },
      h('div', { class: `prob-fill ${positive ? 'prob-pos' : 'prob-neg'}`, style: { width: `${(probability * 100).toFixed(1)}%` } })),
    h('span', { class: 'prob-value num' }, `${(probability * 100).toFixed(1)}%`),
    h('span', { class: `prob-label ${positive ? 'prob-pos-text' : 'prob-neg-text'}` }, positive ? 'positive' : 'negative'));
}

export { clear };
