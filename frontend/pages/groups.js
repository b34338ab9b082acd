// Runs page, grouped by configuration: one row per group (same contestant, dataset and hyperparameters but
// the seed) with mean ± sd over its succeeded runs and N; a row opens to its runs; groups go to Compare.

import { api } from '../api.js';
import { h, clear, fmtInt, fmtPct, fmtValue } from '../dom.js';
import { pageHeader, emptyState, loading, errorState, statusBadge } from '../widgets.js';
import { meanSd, interval } from './leaderboard.js';

const GROUP_LIMIT = 200;
const SHOWN_HYPERPARAMS = ['epochs', 'lr', 'batch_size', 'embedding_dim', 'hidden_dim', 'filters', 'dropout', 'maxlen', 'num_words'];

/** The "group by configuration" switch; `checked` when the grouped view is shown. */
export function groupToggle(checked, params) {
  const box = h('input', { type: 'checkbox', id: 'group-by-config', checked });
  box.addEventListener('change', () => {
    const next = new URLSearchParams(params);
    if (box.checked) next.set('group', '1');
    else next.delete('group');
    const text = next.toString();
    location.hash = `#/runs${text ? `?${text}` : ''}`;
  });
  return h('label', { class: 'group-toggle' }, box, 'Group by configuration');
}

/** A group's hyperparameters in a short line (the usual suspects that differ from run to run). */
function configLine(hyperparams) {
  return SHOWN_HYPERPARAMS.filter((name) => name in hyperparams).map((name) => `${name} ${fmtValue(hyperparams[name])}`).join(' · ');
}

/** Mount the grouped runs view; returns its cleanup. */
export function mount(root, { route, architectures }) {
  let alive = true;
  const params = route.params;
  const filters = { architecture: params.get('architecture') || '', tag: params.get('tag') || '', status: params.get('status') || '' };
  const selected = new Set();
  const countLabel = h('span', { class: 'count-pill' });
  const compareButton = h('button', { class: 'btn', disabled: true, id: 'compare-groups', onclick: openCompare }, 'Compare groups');
  root.append(pageHeader('Runs', countLabel, [compareButton, h('a', { class: 'btn btn-primary', href: '#/launch' }, 'New run')]));
  const contestantSelect = h('select', { 'aria-label': 'Filter by contestant', name: 'architecture' }, h('option', { value: '' }, 'All contestants'));
  architectures().then((list) => {
    clear(contestantSelect, h('option', { value: '' }, 'All contestants'), list.map((a) => h('option', { value: a.name }, a.title)));
    contestantSelect.value = filters.architecture;
  }).catch(() => {});
  contestantSelect.addEventListener('change', () => setParam('architecture', contestantSelect.value));
  const tagInput = h('input', { type: 'search', placeholder: 'Tag contains…', 'aria-label': 'Filter by tag', name: 'tag', value: filters.tag, id: 'groups-tag', maxlength: '64' });
  tagInput.addEventListener('change', () => setParam('tag', tagInput.value.trim()));
  root.append(h('div', { class: 'toolbar' }, contestantSelect, tagInput, groupToggle(true, params)));
  const body = h('div', { class: 'card table-card' }, loading('Loading groups…'));
  root.append(body);

  api.listGroups({ ...filters, limit: GROUP_LIMIT }).then((page) => {
    if (!alive) return;
    countLabel.textContent = `${fmtInt(page.count)} group${page.count === 1 ? '' : 's'}`;
    if (!page.data.length) {
      clear(body, emptyState('No runs match', 'Launch a run with several seeds (Repeats) to see a group’s spread.', { href: '#/launch', label: 'Launch a run' }));
      return;
    }
    const tbody = h('tbody', {}, page.data.flatMap(groupRows));
    clear(body, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'groups-table' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'Contestant'), h('th', {}, 'Dataset'), h('th', {}, 'Configuration'),
        h('th', { class: 'num' }, 'N'), h('th', { class: 'num', title: 'Succeeded runs' }, 'Done'),
        h('th', { class: 'num' }, 'Best val (mean ± sd)'), h('th', { class: 'num' }, 'Test (mean ± sd)'), h('th', { class: 'num' }, 'Test 95% CI'),
        h('th', { class: 'num' }, 's / epoch'), h('th', { class: 'num' }, 'Params'))),
      tbody)));
  }).catch((err) => alive && clear(body, errorState(`Could not load the groups: ${err.message}`)));

  return () => {
    alive = false;
  };

  function groupRows(group) {
    const members = h('tr', { class: 'group-members', hidden: true }, h('td', { colspan: '11' }, ''));
    const check = h('input', { type: 'checkbox', 'aria-label': `Select group ${group.id}` });
    check.addEventListener('change', () => {
      if (check.checked) selected.add(group.id);
      else selected.delete(group.id);
      compareButton.disabled = selected.size === 0;
      compareButton.textContent = selected.size ? `Compare ${selected.size} group${selected.size === 1 ? '' : 's'}` : 'Compare groups';
    });
    const opener = h('button', { class: 'btn btn-ghost btn-sm', 'aria-expanded': 'false', title: 'Show its runs' }, `▸ ${group.architecture}`);
    opener.addEventListener('click', () => toggle(group, members, opener));
    const test = group.test_acc;
    return [h('tr', { dataset: { group: group.id } },
      h('td', {}, check),
      h('td', {}, opener),
      h('td', {}, group.dataset),
      h('td', { class: 'muted small' }, configLine(group.hyperparams)),
      h('td', { class: 'num' }, String(group.n)),
      h('td', { class: 'num' }, String(group.n_finished)),
      h('td', { class: 'num' }, meanSd(group.best_val_acc)),
      h('td', { class: 'num', style: { fontWeight: '600' } }, meanSd(test)),
      h('td', { class: 'num muted' }, interval(test, test.n === 1 ? '1 seed' : '—')),
      h('td', { class: 'num' }, group.seconds_per_epoch === null ? '—' : group.seconds_per_epoch.toFixed(1)),
      h('td', { class: 'num' }, fmtInt(group.param_count))), members];
  }

  async function toggle(group, members, opener) {
    const open = members.hidden;
    members.hidden = !open;
    opener.setAttribute('aria-expanded', String(open));
    opener.textContent = `${open ? '▾' : '▸'} ${group.architecture}`;
    if (!open || members.dataset.loaded) return;
    members.dataset.loaded = '1';
    const cell = members.firstChild;
    clear(cell, loading('Loading its runs…'));
    try {
      const detail = await api.getGroup(group.id);
      clear(cell, h('table', { class: 'data member-runs' },
        h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'ID'), h('th', {}, 'Name'), h('th', { class: 'num' }, 'Seed'), h('th', {}, 'Status'),
          h('th', { class: 'num' }, 'Best val'), h('th', { class: 'num' }, 'Test'))),
        h('tbody', {}, detail.runs.map((run) => h('tr', { dataset: { runId: String(run.id) } },
          h('td', { class: 'num muted' }, `#${run.id}`),
          h('td', { class: 'name-cell' }, h('a', { href: `#/run/${run.id}` }, run.name)),
          h('td', { class: 'num' }, String(run.hyperparams.seed ?? '—')),
          h('td', {}, statusBadge(run.status)),
          h('td', { class: 'num' }, fmtPct(run.best_val_acc)),
          h('td', { class: 'num' }, fmtPct(run.test_acc)))))));
    } catch (err) {
      clear(cell, errorState(err.message));
    }
  }

  function setParam(name, value) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    location.hash = `#/runs?${next.toString()}`;
  }

  function openCompare() {
    location.hash = `#/compare?groups=${[...selected].join(',')}`;
  }
}
