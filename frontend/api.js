// The REST and Server-Sent Events client: fetch helpers, API errors, event streams shared by the tabs.

import { requireLogin } from './login.js';
import { subscribe } from './streams.js';

/** An error reply from the API: status, a readable message, and the 422 field errors. */
export class ApiError extends Error {
  constructor(status, detail) {
    const fieldErrors = Array.isArray(detail) ? detail : [];
    const message = typeof detail === 'string'
      ? detail
      : fieldErrors.length
        ? fieldErrors.map((e) => e.msg).join('; ')
        : `Request failed with status ${status}`;
    super(message);
    this.status = status;
    this.fieldErrors = fieldErrors;
  }
}

/** Send one JSON request; resolve to the parsed body (null for 204), reject with ApiError. */
export async function request(method, path, body, { signal } = {}) {
  const init = { method, headers: { Accept: 'application/json' }, signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'Cannot reach the server — is the backend running?');
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  const detail = data && data.detail !== undefined ? data.detail : data;
  if (response.status === 401) requireLogin();
  if (!response.ok) throw new ApiError(response.status, detail);
  return data;
}

/** A query string from an object, skipping empty values: {a: 1, b: ''} -> "?a=1". */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const api = {
  health: () => request('GET', '/api/health'),
  architectures: () => request('GET', '/api/architectures'),
  summary: (name, hyperparams, opts = {}) => request('POST', `/api/architectures/${encodeURIComponent(name)}/summary${query({ dataset: opts.dataset })}`, hyperparams, opts),
  datasets: () => request('GET', '/api/datasets'),
  meta: () => request('GET', '/api/meta'),
  listRuns: (filters) => request('GET', `/api/runs${query(filters)}`),
  getRun: (id) => request('GET', `/api/runs/${id}`),
  createRun: (body) => request('POST', '/api/runs', body),
  updateRun: (id, body) => request('PATCH', `/api/runs/${id}`, body),
  cancelRun: (id) => request('POST', `/api/runs/${id}/cancel`),
  cloneRun: (id) => request('POST', `/api/runs/${id}/clone`),
  deleteRun: (id) => request('DELETE', `/api/runs/${id}`),
  metrics: (id) => request('GET', `/api/runs/${id}/metrics`),
  system: (id, { after, limit } = {}) => request('GET', `/api/runs/${id}/system${query({ after, limit })}`),
  logs: (id, { after, limit } = {}) => request('GET', `/api/runs/${id}/logs${query({ after, limit })}`),
  compare: (ids) => request('GET', `/api/compare?ids=${ids.join(',')}`),
  predict: (id, text) => request('POST', `/api/runs/${id}/predict`, { text }),
  workers: () => request('GET', '/api/workers'),
  leaderboard: (dataset) => request('GET', `/api/leaderboard${query({ dataset })}`),
  predictions: (id) => request('GET', `/api/runs/${id}/predictions`),
  disagreement: (a, b) => request('GET', `/api/compare/disagreement?ids=${a},${b}`),
  listGroups: (filters) => request('GET', `/api/groups${query(filters)}`),
  getGroup: (id) => request('GET', `/api/groups/${encodeURIComponent(id)}`),
  groupCurve: (id) => request('GET', `/api/groups/${encodeURIComponent(id)}/curve`),
};

/**
 * Follow the Server-Sent Events at `url`, routing typed events to handlers ({status: fn, ...}; each
 * gets the parsed JSON data) and calling `reconnected()` when the stream is back after a gap, so the
 * page re-fetches what it shows. The stream is shared with the browser's other tabs (streams.js).
 * Returns {close()}; the caller closes it.
 */
export function openStream(url, handlers) {
  return subscribe(url, handlers);
}

export { isLive, isPaused, onConnection, onPause } from './streams.js';
