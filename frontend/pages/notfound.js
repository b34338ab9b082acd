// The page for a route the dashboard does not know ("#/nonsense"): says so and links to every page.

import { h } from '../dom.js';
import { pageHeader } from '../widgets.js';

const LINKS = [
  ['#/runs', 'Runs', 'every run, live'],
  ['#/launch', 'Launch', 'start a new run'],
  ['#/compare', 'Compare', 'overlay the curves of chosen runs'],
  ['#/leaderboard', 'Leaderboard', 'contestants ranked by mean test accuracy over their seeds'],
];

/** Mount the "page not found" page for the unknown route in `route.path`. */
export function mount(root, { route }) {
  root.append(
    pageHeader('Page not found', `There is no page at “#/${route.path}”.`),
    h('section', { class: 'card', id: 'not-found' },
      h('p', {}, 'The address may be mistyped or from a newer version of the dashboard. Go to one of these:'),
      h('ul', { class: 'link-list' }, LINKS.map(([href, label, hint]) => h('li', {},
        h('a', { href }, label), h('span', { class: 'muted' }, ` — ${hint}`))))));
  return () => {};
}
