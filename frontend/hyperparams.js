// How hyperparameters are grouped for display (DESIGN.md names), from GET /api/meta (meta.js).

import { GROUP_NAMES, HYPERPARAM_GROUPS } from './meta.js';

export { GROUP_NAMES };

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
