// How hyperparameters are grouped for display (DESIGN.md names), from GET /api/meta (meta.js).

import { GROUP_NAMES, HYPERPARAM_GROUPS } from './meta.js';

export { GROUP_NAMES };

/** A singular field that its list sibling overrides when set (one width is [5]): the dashboard shows only the list. */
export const OVERRIDDEN_BY = { kernel_size: 'kernel_sizes' };

/**
 * A run's hyperparameters as the dashboard shows them (run page, Compare), as the launch form has them: a field that
 * its list sibling overrides is folded into it, so one field says what applies (cnn's kernel_sizes null with
 * kernel_size 5 shows as kernel_sizes 5; kernel_sizes 3, 4, 5 hides the kernel_size it overrides).
 */
export function shownHyperparams(hyperparams) {
  const shown = { ...hyperparams };
  for (const [one, many] of Object.entries(OVERRIDDEN_BY)) {
    if (!(many in shown)) continue;
    if (shown[many] == null && shown[one] != null) shown[many] = [shown[one]];
    delete shown[one];
  }
  return shown;
}

/** The display group of a hyperparameter name: the group listing it, else the one listing none (Model). */
export function groupOf(name) {
  const group = HYPERPARAM_GROUPS.find((g) => g.fields.includes(name)) ?? HYPERPARAM_GROUPS.find((g) => !g.fields.length);
  return group?.name ?? 'Model';
}

/** Names sorted by group, then in the order their group lists them, model fields alphabetically. */
export function sortedNames(names) {
  const listed = HYPERPARAM_GROUPS.flatMap((g) => g.fields);
  const order = (name) => [GROUP_NAMES.indexOf(groupOf(name)), listed.indexOf(name)];
  return [...names].sort((a, b) => {
    const [ga, wa] = order(a);
    const [gb, wb] = order(b);
    return ga - gb || wa - wb || a.localeCompare(b);
  });
}
