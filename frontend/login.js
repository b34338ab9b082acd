// The login box: shown when the backend answers 401 (BATTLEFIELD_TOKEN is set); it trades the token for the
// HttpOnly session cookie (POST /api/login), then reloads the page so every request and stream starts afresh.
import { h } from './dom.js';

let shown = null;

/** Send the typed token; resolve to an error message, or null once the cookie is set. */
async function sendToken(token) {
  let response;
  try {
    response = await fetch('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token }),
    });
  } catch {
    return 'Cannot reach the server — is the backend running?';
  }
  if (response.ok) return null;
  const data = await response.json().catch(() => null);
  const detail = data && data.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail) && detail.length) return detail.map((e) => e.msg).join('; ');
  return `Login failed with status ${response.status}`;
}

/** Show the login box once (later calls while it is open do nothing). */
export function requireLogin() {
  if (shown) return;
  const input = h('input', {
    type: 'password', id: 'login-token', name: 'token', autocomplete: 'current-password', required: true,
    'aria-describedby': 'login-help',
  });
  const error = h('p', { class: 'login-error', id: 'login-error', role: 'alert' });
  const submit = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Log in');
  const form = h('form', {
    class: 'modal login-box', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'login-title',
    onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      const problem = await sendToken(input.value);
      if (problem === null) {
        location.reload();
        return;
      }
      error.textContent = problem;
      submit.disabled = false;
      input.select();
    },
  },
  h('h2', { class: 'modal-title', id: 'login-title' }, 'Log in to IMDB Battlefield'),
  h('p', { class: 'modal-body', id: 'login-help' },
    'This server needs its access token. Ask whoever runs it for the value of BATTLEFIELD_TOKEN.'),
  h('label', { for: 'login-token', class: 'login-label' }, 'Access token'),
  input,
  error,
  h('div', { class: 'modal-actions' }, submit));
  shown = h('div', { class: 'modal-overlay', id: 'login' }, form);
  document.body.append(shown);
  input.focus();
}

/** Drop the session cookie (POST /api/logout) and reload: the next request asks for the token again. */
export async function logout() {
  await fetch('/api/logout', { method: 'POST' }).catch(() => null);
  location.reload();
}
