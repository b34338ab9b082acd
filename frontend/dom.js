// DOM building and number formatting shared by every page: text only, never innerHTML.

/** Build an element: h('td', {class: 'num', title: 'x', onclick: fn}, child, 'text', ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Append children (nodes, strings, numbers, arrays; null skipped) as nodes or text nodes. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace every child of an element with `children` (nodes, text, arrays; null skipped). */
export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const INT = new Intl.NumberFormat('en-US');

/** `text` cut to at most `max` characters, the cut marked with "…". */
export function shorten(text, max) {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** 1234567 -> "1,234,567"; null -> "—". */
export function fmtInt(n) {
  return n === null || n === undefined ? '—' : INT.format(n);
}

/** 0.85049 -> "85.05%"; null -> "—". */
export function fmtPct(x, digits = 2) {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** A loss or other float with a fixed number of decimals; null -> "—". */
export function fmtNum(x, digits = 4) {
  return x === null || x === undefined ? '—' : Number(x).toFixed(digits);
}

/** Seconds -> "4.2 s", "1m 05s", "1h 02m"; null -> "—". */
export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** ISO timestamp -> "2026-11-28 12:05:03" in the browser's time zone; null -> "—". */
export function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** ISO timestamp -> "3 min ago". */
export function fmtAgo(iso) {
  if (!iso) return '—';
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/** A run's label with its id shown once: "lstm #7" stays, "my run" (id 7) -> "my run #7". */
export function runLabel(run) {
  const id = `#${run.id}`;
  return new RegExp(`${id}(?!\\d)`).test(run.name) ? run.name : `${run.name} ${id}`;
}

/** A hyperparameter value as display text (lists joined, booleans as yes/no). */
export function fmtValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Number(v.toPrecision(6)));
  if (typeof v === 'number') return fmtInt(v);
  return String(v);
}
