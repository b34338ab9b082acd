// The API's fixed vocabulary from GET /api/meta: run statuses, hyperparameter groups, the notebook's figures.
// Loaded once before the first page mounts (app.js); the dashboard keeps no copy of these lists.

import { api } from './api.js';

export const STATUSES = [];                    // every run status, in lifecycle order
export const ACTIVE_STATUSES = new Set();      // a worker holds the run: running, cancelling
export const TERMINAL_STATUSES = new Set();    // the run never changes again
export const UNFINISHED_STATUSES = new Set();  // not terminal: queued or active
export const HYPERPARAM_GROUPS = [];           // [{name, fields}]; the group without fields takes the rest
export const GROUP_NAMES = [];                 // their names in display order: Model, Training, Data
export const NOTEBOOK_TEST_ACC = {};           // contestant -> the notebook's best test accuracy (null: unfinished)

let loaded = null;

/** Fetch GET /api/meta once and fill the exports above; resolves when they are filled. */
export function loadMeta() {
  loaded ??= api.meta().then((meta) => {
    STATUSES.splice(0, STATUSES.length, ...meta.statuses);
    for (const s of meta.active_statuses) ACTIVE_STATUSES.add(s);
    for (const s of meta.terminal_statuses) TERMINAL_STATUSES.add(s);
    for (const s of meta.statuses) if (!TERMINAL_STATUSES.has(s)) UNFINISHED_STATUSES.add(s);
    HYPERPARAM_GROUPS.splice(0, HYPERPARAM_GROUPS.length, ...meta.hyperparam_groups);
    GROUP_NAMES.splice(0, GROUP_NAMES.length, ...meta.hyperparam_groups.map((group) => group.name));
    Object.assign(NOTEBOOK_TEST_ACC, meta.notebook_test_acc);
  }).catch((err) => {
    loaded = null;  // try again on the next page
    throw err;
  });
  return loaded;
}
