// How hyperparameters are grouped for display (DESIGN.md names): Model, Training, Data.

export const TRAINING_FIELDS = ['epochs', 'batch_size', 'optimizer', 'lr', 'lr_schedule', 'momentum', 'weight_decay', 'grad_clip', 'dropout', 'seed', 'patience'];
export const DATA_FIELDS = ['num_words', 'maxlen', 'val_split'];
export const GROUP_NAMES = ['Model', 'Training', 'Data'];

/** The display group of a hyperparameter name. */
export function groupOf(name) {
  if (TRAINING_FIELDS.includes(name)) return 'Training';
  if (DATA_FIELDS.includes(name)) return 'Data';
  return 'Model';
}

/** Names sorted by group, then in the order training/data lists them, model fields alphabetically. */
export function sortedNames(names) {
  const order = (name) => {
    const group = GROUP_NAMES.indexOf(groupOf(name));
    const within = [...TRAINING_FIELDS, ...DATA_FIELDS].indexOf(name);
    return [group, within];
  };
  return [...names].sort((a, b) => {
    const [ga, wa] = order(a);
    const [gb, wb] = order(b);
    return ga - gb || wa - wb || a.localeCompare(b);
  });
}
