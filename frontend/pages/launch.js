// Launch page: a form generated from the contestant's JSON Schema, a live parameter count, Battle.

import { api } from '../api.js';
import { h, clear, fmtInt, shorten } from '../dom.js';
import { pageHeader, loading, errorState, toast, confirmDialog } from '../widgets.js';
import { GROUP_NAMES, OVERRIDDEN_BY, groupOf, shownHyperparams } from '../hyperparams.js';

const BATTLE_SHARED_FIELDS = ['epochs', 'seed', 'num_words', 'maxlen', 'val_split'];
const SUMMARY_DEBOUNCE_MS = 250;
// A strong contestant that trains in seconds per epoch on a CPU (ff_raw stays near chance by design).
const DEFAULT_CONTESTANT = 'fasttext';
// The first of these that a live worker can load is the default dataset.
const DATASET_PREFERENCE = ['aclimdb', 'imdb', 'synthetic'];
// A decimal number as people type it: 10, -0.5, .5, 1e-3, 2E+4 (no hex, no "Infinity").
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Resolve a schema property: follow a $ref, unwrap anyOf [X, null]. */
function resolveProperty(schema, prop) {
  let resolved = { ...prop };
  let nullable = false;
  if (prop.anyOf) {
    const options = prop.anyOf.filter((option) => option.type !== 'null');
    nullable = options.length < prop.anyOf.length;
    resolved = { ...prop, ...options[0] };
    delete resolved.anyOf;
  }
  if (resolved.$ref) {
    const key = resolved.$ref.split('/').pop();
    resolved = { ...(schema.$defs?.[key] || {}), ...resolved };
  }
  if (resolved.allOf?.length === 1) resolved = { ...resolved.allOf[0], ...resolved };
  return { prop: resolved, nullable };
}

/** A field spec from a schema property: its kind (number, checkbox, select, list, text) and bounds. */
function fieldSpec(schema, name, rawProp) {
  const { prop, nullable } = resolveProperty(schema, rawProp);
  const spec = {
    name, nullable, default: prop.default, description: prop.description || '', type: prop.type,
    min: prop.minimum, max: prop.maximum, xmin: prop.exclusiveMinimum, xmax: prop.exclusiveMaximum,
  };
  if (prop.enum) return { ...spec, kind: 'select', options: prop.enum };
  if (prop.type === 'boolean') return { ...spec, kind: 'checkbox' };
  if (prop.type === 'integer' || prop.type === 'number') return { ...spec, kind: 'number' };
  if (prop.type === 'array') {
    return { ...spec, kind: 'list', items: prop.items || {}, minItems: prop.minItems, maxItems: prop.maxItems };
  }
  return { ...spec, kind: 'text' };
}

/** "must be at least 1" style bounds for a help line. */
function boundsText(spec) {
  const parts = [];
  if (spec.min !== undefined) parts.push(`≥ ${spec.min}`);
  if (spec.xmin !== undefined) parts.push(`> ${spec.xmin}`);
  if (spec.max !== undefined) parts.push(`≤ ${spec.max}`);
  if (spec.xmax !== undefined) parts.push(`< ${spec.xmax}`);
  return parts.join(', ');
}

/** The input element for a field spec, carrying its bounds as attributes the checker reads. */
function buildInput(spec) {
  const id = `field-${spec.name}`;
  if (spec.kind === 'checkbox') return h('input', { type: 'checkbox', id, name: spec.name });
  if (spec.kind === 'select') {
    return h('select', { id, name: spec.name }, spec.options.map((option, i) => h('option', { value: String(i) }, String(option))));
  }
  if (spec.kind === 'number') {
    // type=text: a number input hides what was typed when it does not parse ("1e" reads as ""), so
    // the check could only say "required"; as text, the message can quote it and say what is wrong.
    const input = h('input', { type: 'text', id, name: spec.name, inputmode: spec.type === 'integer' ? 'numeric' : 'decimal', autocomplete: 'off', spellcheck: 'false' });
    if (spec.min !== undefined) input.min = String(spec.min);
    if (spec.max !== undefined) input.max = String(spec.max);
    if (spec.xmin !== undefined) input.dataset.xmin = String(spec.xmin);
    if (spec.xmax !== undefined) input.dataset.xmax = String(spec.xmax);
    return input;
  }
  const placeholder = spec.kind === 'list' ? (spec.nullable ? 'e.g. 3, 4, 5 (empty: none)' : 'e.g. 3, 4, 5') : '';
  return h('input', { type: 'text', id, name: spec.name, placeholder });
}

/** Put a value into a field's input. */
function writeValue(spec, input, value) {
  if (spec.kind === 'checkbox') input.checked = Boolean(value);
  else if (spec.kind === 'select') input.value = String(Math.max(spec.options.indexOf(value), 0));
  else if (spec.kind === 'list') input.value = Array.isArray(value) ? value.join(', ') : '';
  else if (value && typeof value === 'object' && 'unparsed' in value) input.value = value.unparsed;
  else input.value = value === null || value === undefined ? '' : String(value);
}

/** Read a field's value as the API wants it (undefined: leave to the server's default). */
function readValue(spec, input) {
  if (spec.kind === 'checkbox') return input.checked;
  if (spec.kind === 'select') return spec.options[Number(input.value)];
  const raw = input.value.trim();
  if (spec.kind === 'number') {
    if (raw === '') return spec.nullable ? null : undefined;
    return NUMBER_TEXT.test(raw) ? Number(raw) : { unparsed: raw };
  }
  if (spec.kind === 'list') {
    if (raw === '') return spec.nullable ? null : [];
    const parts = raw.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
    const numeric = spec.items.type === 'integer' || spec.items.type === 'number';
    return parts.map((p) => (numeric ? Number(p) : p));
  }
  return raw;
}

/** The browser-side check of one value against the bounds on its input; a message or null. */
function checkValue(spec, input, value) {
  const { name } = spec;
  if (spec.kind === 'number') {
    if (value === undefined) return `${name} is required`;
    if (value === null) return null;
    if (typeof value === 'object') return `${name}: “${value.unparsed}” is not a number; write it like 10, 0.001 or 1e-3`;
    if (!Number.isFinite(value)) return `${name}: “${input.value.trim()}” is too large to be a number`;
    if (spec.type === 'integer' && !Number.isInteger(value)) return `${name} must be a whole number (got ${value})`;
    const attr = (key) => (input.getAttribute(key) === null || input.getAttribute(key) === '' ? undefined : Number(input.getAttribute(key)));
    const min = attr('min');
    const max = attr('max');
    const xmin = attr('data-xmin');
    const xmax = attr('data-xmax');
    if (min !== undefined && value < min) return `${name} must be at least ${min} (got ${value})`;
    if (xmin !== undefined && value <= xmin) return `${name} must be greater than ${xmin} (got ${value})`;
    if (max !== undefined && value > max) return `${name} must be at most ${max} (got ${value})`;
    if (xmax !== undefined && value >= xmax) return `${name} must be less than ${xmax} (got ${value})`;
  }
  if (spec.kind === 'list' && Array.isArray(value)) {
    if (value.some((v) => typeof v === 'number' && Number.isNaN(v))) return `${name} must be a list of numbers, e.g. 3, 4, 5`;
    if (spec.minItems !== undefined && value.length < spec.minItems) return `${name} needs at least ${spec.minItems} value(s)`;
    if (spec.maxItems !== undefined && value.length > spec.maxItems) return `${name} takes at most ${spec.maxItems} values`;
    const { minimum, maximum } = spec.items;
    const outside = value.find((v) => (minimum !== undefined && v < minimum) || (maximum !== undefined && v > maximum));
    if (outside !== undefined) return `each ${name} value must be between ${minimum} and ${maximum} (got ${outside})`;
  }
  return null;
}

/** "battle-20261128-120500" from the current UTC time. */
function battleTag(now = new Date()) {
  const iso = now.toISOString();  // 2026-11-28T12:05:00.000Z
  return `battle-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** Mount the launch page into `root`; returns its cleanup. */
export function mount(root, { route, architectures, datasets, navigate }) {
  let contestants = [];
  let current = null;
  const fields = new Map();           // name -> {spec, input, wrap, error}
  const dirty = new Map();            // name -> value the person typed, kept across contestants
  let summaryTimer = null;
  let summaryAbort = null;
  let summarySeq = 0;                 // the latest summary request; an older reply is dropped
  let datasetInfo = new Map();        // name -> GET /api/datasets item
  let alive = true;

  root.append(pageHeader('Launch a run', 'Pick a contestant, tune its hyperparameters and queue it for a worker.'));
  const body = h('div', {}, loading('Loading contestants…'));
  root.append(body);

  // elements built once the catalogues arrive
  const contestantGrid = h('div', { class: 'contestants', role: 'radiogroup', 'aria-label': 'Contestant' });
  const contestantError = h('div', { class: 'field-error', id: 'error-architecture' });
  const presetSelect = h('select', { id: 'preset', 'aria-label': 'Preset' });
  const groupsHost = h('div', { class: 'groups' });
  const datasetSelect = h('select', { id: 'field-dataset', name: 'dataset' });
  const datasetHelp = h('div', { class: 'field-help', id: 'dataset-help' });
  const nameInput = h('input', { type: 'text', id: 'field-name', name: 'name', placeholder: 'e.g. lstm, bigger vocabulary', maxlength: '200' });
  const tagsInput = h('input', { type: 'text', id: 'field-tags', name: 'tags', placeholder: 'e.g. baseline, v2' });
  const repeatsInput = h('input', { type: 'number', id: 'field-repeats', name: 'repeats', min: '1', max: '20', step: '1', value: '1' });
  const notesInput = h('textarea', { id: 'field-notes', name: 'notes', placeholder: 'What are you trying? (optional)', rows: '3' });
  const paramCount = h('div', { class: 'big-number', id: 'param-count' }, '—');
  const paramError = h('div', { class: 'field-error', id: 'param-error' });
  const layerList = h('ul', { class: 'layers' });
  const memoryEstimate = h('div', { class: 'field-help', id: 'memory-estimate' });  // the launch's peak memory
  const launchButton = h('button', { class: 'btn btn-primary', type: 'submit', id: 'launch-button' }, 'Launch run');
  const battleButton = h('button', { class: 'btn', type: 'button', id: 'battle-button', onclick: battle }, 'Battle: every contestant');
  const formError = h('div', { class: 'form-error' });
  const form = h('form', { id: 'launch-form', novalidate: true, onsubmit: submit, oninput: onFormInput, onchange: onFormInput });

  const fromId = Number(route.params.get('from')) || null;   // "Clone with changes": start from this run
  const source = fromId ? api.getRun(fromId) : Promise.resolve(null);
  // readiness changes as workers come and go: asked afresh on every visit, not from the page-load cache
  Promise.all([architectures(), api.datasets(), source]).then(([archList, dataList, sourceRun]) => {
    if (!alive) return;
    contestants = archList;
    if (!contestants.length) {
      clear(body, errorState('The backend lists no contestants.'));
      return;
    }
    datasetInfo = new Map(dataList.map((d) => [d.name, d]));
    for (const d of dataList) {
      datasetSelect.append(h('option', { value: d.name, title: d.how_to, dataset: { ready: String(d.ready) } },
        `${d.title}${d.ready ? '' : ' — not ready'}`));
    }
    const wanted = sourceRun?.dataset ?? route.params.get('dataset');
    const firstReady = DATASET_PREFERENCE.find((name) => datasetInfo.get(name)?.ready)
      ?? dataList.find((d) => d.ready)?.name ?? 'synthetic';
    const preferred = [wanted, firstReady].find((name) => datasetInfo.has(name));
    if (preferred) datasetSelect.value = preferred;
    datasetSelect.addEventListener('change', showDatasetHelp);
    datasetSelect.addEventListener('change', () => refreshSummary(0));
    for (const c of contestants) {
      contestantGrid.append(h('button', {
        type: 'button', class: 'contestant', role: 'radio', dataset: { name: c.name }, onclick: () => pick(c.name),
      }, h('span', { class: 'contestant-title' }, c.title), h('span', { class: 'contestant-name' }, c.name)));
    }
    buildPage();
    showDatasetHelp();
    const initial = sourceRun?.architecture ?? route.params.get('architecture');
    const fallback = contestants.some((c) => c.name === DEFAULT_CONTESTANT) ? DEFAULT_CONTESTANT : contestants[0].name;
    pick(contestants.some((c) => c.name === initial) ? initial : fallback);
    if (sourceRun) fillFrom(sourceRun);
  }).catch((err) => {
    if (alive) clear(body, errorState(`Could not load the ${fromId ? `settings of run #${fromId}` : 'contestants'}: ${err.message}`));
  });

  return () => {
    alive = false;
    clearTimeout(summaryTimer);
    summaryAbort?.abort();
  };

  function buildPage() {
    const field = (label, input, help, id) => h('div', { class: 'field' },
      h('label', { class: 'field-label', for: input.id }, label), input,
      help ? h('div', { class: 'field-help' }, help) : null, h('div', { class: 'field-error', id: `error-${id}` }));
    const about = h('p', { class: 'contestant-about', id: 'contestant-about' });
    form.append(
      h('div', { class: 'launch-layout' },
        h('div', { class: 'stack' },
          h('section', { class: 'card' },
            h('h2', { class: 'card-title' }, 'Contestant'), contestantGrid, about, contestantError),
          h('section', { class: 'card' },
            h('h2', { class: 'card-title' }, 'Hyperparameters',
              h('label', { class: 'inline' }, 'Preset', presetSelect)),
            groupsHost),
          h('section', { class: 'card' },
            h('h2', { class: 'card-title' }, 'Run details', h('span', { class: 'hint' }, 'all optional')),
            h('div', { class: 'fields' },
              field('name', nameInput, 'Shown in tables and chart legends; defaults to “contestant #id”.', 'name'),
              field('tags', tagsInput, 'Comma separated; group runs and filter the runs table by tag.', 'tags'),
              field('repeats', repeatsInput, 'Seeds to run, 1 to 20 (seed, seed + 1, …): one group, shown with mean ± sd and a 95% interval.', 'repeats'),
              h('div', { class: 'field field-wide' },
                h('label', { class: 'field-label', for: 'field-notes' }, 'notes'), notesInput, h('div', { class: 'field-error', id: 'error-notes' }))))),
        h('aside', { class: 'sidebar' },
          h('section', { class: 'card' },
            h('div', { class: 'big-caption' }, 'Parameters (all, trainable or not)'),
            paramCount, memoryEstimate, paramError, layerList,
            h('div', { style: { marginTop: '16px' } }, launchButton, battleButton),
            h('p', { class: 'field-help', style: { marginTop: '8px' } },
              'Battle queues every contestant with its own defaults and this form’s dataset, data settings, seed, epochs and repeats, tagged together, then opens Compare.'),
            formError))));
    presetSelect.addEventListener('change', applyPreset);
    clear(body, form);
  }

  /** Under the dataset select: where it is ready, or what to do to make it ready. */
  function showDatasetHelp() {
    const info = datasetInfo.get(datasetSelect.value);
    datasetHelp.textContent = info ? info.how_to : '';
    datasetHelp.classList.toggle('warn', Boolean(info && !info.ready));
  }

  /** "Clone with changes": the source run's contestant settings, dataset and labels in the form. */
  function fillFrom(sourceRun) {
    for (const [name, value] of Object.entries(sourceRun.hyperparams || {})) {
      const f = fields.get(name);
      if (f) {
        writeValue(f.spec, f.input, value);
        dirty.set(name, value);
      }
    }
    const shown = shownHyperparams(sourceRun.hyperparams || {});   // a single kernel_size 5 as kernel_sizes [5]
    for (const many of Object.values(OVERRIDDEN_BY)) {
      if (fields.has(many) && shown[many] != null) writeValue(fields.get(many).spec, fields.get(many).input, shown[many]);
    }
    nameInput.value = sourceRun.name === `${sourceRun.architecture} #${sourceRun.id}` ? '' : sourceRun.name;
    tagsInput.value = (sourceRun.tags || []).join(', ');
    notesInput.value = sourceRun.notes || '';
    formError.replaceChildren(h('div', { class: 'info-box', id: 'clone-source' },
      `Settings of run #${sourceRun.id} (${sourceRun.name}); change what you like, then launch.`));
    refreshSummary(0);
  }

  function pick(name) {
    current = contestants.find((c) => c.name === name);
    for (const card of contestantGrid.children) {
      const on = card.dataset.name === name;
      card.classList.toggle('active', on);
      card.setAttribute('aria-checked', String(on));
    }
    form.querySelector('#contestant-about').textContent = current.description;
    contestantError.textContent = '';
    history.replaceState(null, '', `#/launch?architecture=${encodeURIComponent(name)}${fromId ? `&from=${fromId}` : ''}`);
    clear(presetSelect, h('option', { value: '' }, 'Contestant defaults'),
      Object.keys(current.presets || {}).map((p) => h('option', { value: p }, p)));
    buildFields();
    for (const [key, value] of dirty) {
      const f = fields.get(key);
      if (f) writeValue(f.spec, f.input, value);
    }
    refreshSummary(0);
  }

  function buildFields() {
    fields.clear();
    clear(groupsHost);
    const schema = current.params_schema;
    const names = Object.keys(schema.properties || {});
    const specs = Object.entries(schema.properties || {})
      .filter(([name]) => !(OVERRIDDEN_BY[name] && names.includes(OVERRIDDEN_BY[name])))
      .map(([name, prop]) => fieldSpec(schema, name, prop));
    for (const group of GROUP_NAMES) {
      const members = specs.filter((s) => groupOf(s.name) === group);
      if (!members.length && group !== 'Data') continue;
      const grid = h('div', { class: 'fields' });
      if (group === 'Data') {
        grid.append(h('div', { class: 'field' },
          h('label', { class: 'field-label', for: 'field-dataset' }, 'dataset'), datasetSelect,
          datasetHelp, h('div', { class: 'field-error', id: 'error-dataset' })));
      }
      for (const spec of members) grid.append(buildField(spec));
      groupsHost.append(h('fieldset', { class: 'group', dataset: { group } }, h('legend', {}, group), grid));
    }
  }

  function buildField(spec) {
    const input = buildInput(spec);
    const error = h('div', { class: 'field-error', id: `error-${spec.name}` });
    const bounds = boundsText(spec);
    const help = h('div', { class: 'field-help' }, spec.description, bounds ? h('span', { class: 'muted' }, ` (${bounds})`) : null);
    const label = h('label', { class: 'field-label', for: input.id }, spec.name);
    const wrap = spec.kind === 'checkbox'
      ? h('div', { class: 'field', dataset: { field: spec.name } }, label, h('div', { class: 'field-check' }, input, h('span', { class: 'muted' }, 'on')), help, error)
      : h('div', { class: 'field', dataset: { field: spec.name } }, label, input, help, error);
    writeValue(spec, input, spec.default);
    fields.set(spec.name, { spec, input, wrap, error });
    return wrap;
  }

  function applyPreset() {
    const preset = current.presets?.[presetSelect.value] || {};
    for (const { spec, input } of fields.values()) writeValue(spec, input, spec.name in preset ? preset[spec.name] : spec.default);
    dirty.clear();
    clearErrors();
    refreshSummary(0);
  }

  function onFormInput(event) {
    const name = event.target.name;
    const f = fields.get(name);
    if (f) {
      dirty.set(name, readValue(f.spec, f.input));
      const message = checkValue(f.spec, f.input, readValue(f.spec, f.input));
      if (event.type === 'change' || f.error.textContent) showFieldError(name, message);
      refreshSummary(SUMMARY_DEBOUNCE_MS);
    } else if (name) {
      showFieldError(name, null);
    }
  }

  /** Every field's value, and the browser-side messages (name -> message). */
  function collect() {
    const hyperparams = {};
    const problems = new Map();
    for (const [name, { spec, input }] of fields) {
      const value = readValue(spec, input);
      const message = checkValue(spec, input, value);
      if (message) problems.set(name, message);
      if (value !== undefined) hyperparams[name] = value;
    }
    return { hyperparams, problems };
  }

  /** The estimated peak memory beside the parameter count; over the budget it reads as an error. */
  function showMemory(memory) {
    if (!memory) { memoryEstimate.textContent = ''; return; }
    const over = memory.total > memory.budget;
    memoryEstimate.className = over ? 'field-error' : 'field-help';
    memoryEstimate.textContent = `Estimated peak memory ${fmtInt(Math.round(memory.total))} MB`
      + (over ? `, over the ${fmtInt(memory.budget)} MB budget: lower batch_size, maxlen or the model's sizes`
        : ` (budget ${fmtInt(memory.budget)} MB)`);
  }

  function refreshSummary(delay) {
    clearTimeout(summaryTimer);
    const seq = ++summarySeq;
    // the shown count belongs to other settings from now on: dim it, and blank it for another contestant
    paramCount.classList.add('muted');
    if (paramCount.dataset.architecture !== current.name) paramCount.textContent = '…';
    summaryTimer = setTimeout(async () => {
      summaryAbort?.abort();
      summaryAbort = new AbortController();
      const { hyperparams, problems } = collect();
      const architecture = current.name;
      if (problems.size) {
        paramCount.classList.remove('muted');
        delete paramCount.dataset.architecture;
        paramCount.textContent = '—';
        showMemory(null);
        paramError.textContent = [...problems.values()][0];
        clear(layerList);
        return;
      }
      try {
        const summary = await api.summary(architecture, hyperparams, { signal: summaryAbort.signal, dataset: datasetSelect.value });
        if (seq !== summarySeq) return;  // a newer request is on its way: its answer is the one to show
        paramCount.textContent = fmtInt(summary.param_count);
        showMemory(summary.memory);
        paramCount.dataset.architecture = architecture;
        paramError.textContent = '';
        clear(layerList, (summary.layers || []).map((layer) => h('li', {},
          h('span', { title: `${layer.name} (${layer.type})` }, `${layer.name} · ${layer.type}`), h('span', { class: 'num' }, fmtInt(layer.params)))));
        paramCount.classList.remove('muted');
      } catch (err) {
        if (err.name === 'AbortError' || seq !== summarySeq) return;
        paramCount.textContent = '—';
        showMemory(null);
        delete paramCount.dataset.architecture;
        paramError.textContent = err.message;
        clear(layerList);
        paramCount.classList.remove('muted');
      }
    }, delay);
  }

  function showFieldError(name, message) {
    const f = fields.get(name);
    const slot = f ? f.error : form.querySelector(`#error-${CSS.escape(name)}`);
    if (!slot) return false;
    slot.textContent = message || '';
    slot.closest('.field')?.classList.toggle('invalid', Boolean(message));
    return true;
  }

  function clearErrors() {
    for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
    for (const wrap of form.querySelectorAll('.field.invalid')) wrap.classList.remove('invalid');
    clear(formError);
  }

  function focusFirstError() {
    const first = form.querySelector('.field.invalid input, .field.invalid select, .field.invalid textarea');
    if (first) {
      first.focus();
      first.scrollIntoView({ block: 'center', behavior: 'smooth' });
    }
  }

  /** Show a 422's errors next to the fields their loc names; the rest in the form's error box. */
  function showServerErrors(err) {
    const leftovers = [];
    for (const e of err.fieldErrors) {
      const loc = Array.isArray(e.loc) ? e.loc : [];
      const last = loc[loc.length - 1];
      // a list's item (["body","tags",0], ["body","hyperparams","kernel_sizes",1]): the list's field, naming the item
      const item = typeof last === 'number' && loc.length > 1 ? last : null;
      const name = String(item === null ? last ?? '' : loc[loc.length - 2]);
      const msg = item === null ? e.msg : `${name === 'tags' ? `Tag ${item + 1} “${shorten(runDetails().tags[item] ?? '', 24)}”` : `Item ${item + 1}`}: ${e.msg}`;
      if (name === 'architecture') contestantError.textContent = msg;
      else if (!showFieldError(name, msg)) leftovers.push(msg);
    }
    if (!err.fieldErrors.length) leftovers.push(err.message);
    if (leftovers.length) formError.append(errorState(leftovers.join('\n')));
    focusFirstError();
  }

  function runDetails() {
    const tags = tagsInput.value.split(',').map((t) => t.trim()).filter(Boolean);
    const repeats = Number(repeatsInput.value || 1);
    return { name: nameInput.value.trim() || undefined, tags, notes: notesInput.value.trim() || undefined, repeats };
  }

  async function submit(event) {
    event.preventDefault();
    clearErrors();
    const { hyperparams, problems } = collect();
    if (problems.size) {
      for (const [name, message] of problems) showFieldError(name, message);
      toast(`Fix ${problems.size} field${problems.size === 1 ? '' : 's'} before launching`, 'error');
      focusFirstError();
      return;
    }
    launchButton.disabled = true;
    launchButton.textContent = 'Launching…';
    try {
      const run = await api.createRun({ architecture: current.name, dataset: datasetSelect.value, hyperparams, ...runDetails() });
      const count = run.launched_ids.length;
      toast(count > 1 ? `Launched ${count} seeds of ${current.name}: runs #${run.launched_ids.join(', #')}` : `Launched run #${run.id} (${current.name})`, 'ok');
      navigate(`#/run/${run.id}`);
    } catch (err) {
      if (err.status === 422) showServerErrors(err);
      else formError.append(errorState(err.message));
      toast(err.status === 422 ? 'The server refused some values — see the highlighted fields' : err.message, 'error');
    } finally {
      launchButton.disabled = false;
      launchButton.textContent = 'Launch run';
    }
  }

  async function battle() {
    clearErrors();
    const { hyperparams, problems } = collect();
    const sharedProblems = BATTLE_SHARED_FIELDS.filter((name) => problems.has(name));
    if (sharedProblems.length) {
      for (const name of sharedProblems) showFieldError(name, problems.get(name));
      focusFirstError();
      return;
    }
    const shared = Object.fromEntries(BATTLE_SHARED_FIELDS.filter((n) => n in hyperparams).map((n) => [n, hyperparams[n]]));
    const ok = await confirmDialog({
      title: `Battle ${contestants.length} contestants?`,
      body: `Queues ${repeatsInput.value > 1 ? `${repeatsInput.value} seeds` : 'one run'} per contestant on ${datasetSelect.value}, each with its own defaults and ${Object.entries(shared).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
      confirmLabel: `Queue ${contestants.length * Math.max(Number(repeatsInput.value) || 1, 1)} runs`,
    });
    if (!ok) return;
    const tag = battleTag();
    const details = runDetails();
    battleButton.disabled = true;
    const results = await Promise.allSettled(contestants.map((c) => api.createRun({
      architecture: c.name,
      dataset: datasetSelect.value,
      hyperparams: shared,
      name: details.name ? `${details.name} · ${c.name}` : undefined,
      tags: [tag, ...details.tags],
      notes: details.notes,
      repeats: details.repeats,
    })));
    battleButton.disabled = false;
    const launched = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const ids = launched.flatMap((run) => run.launched_ids);
    const failures = results.map((r, i) => [r, contestants[i]]).filter(([r]) => r.status === 'rejected');
    for (const [r, c] of failures) toast(`${c.name}: ${r.reason.message}`, 'error');
    if (ids.length) {
      toast(`Battle ${tag}: queued ${ids.length} runs`, 'ok');
      navigate(details.repeats > 1 ? `#/compare?groups=${launched.map((run) => run.group_id).join(',')}` : `#/compare?ids=${ids.join(',')}`);
    }
  }
}
