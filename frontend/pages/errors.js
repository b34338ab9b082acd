// The run page's "Errors" section (confusion matrix, ROC with AUC, reliability diagram, most confidently wrong
// reviews) and Compare's disagreement between two runs, both from the runs' kept test predictions.

import { api } from '../api.js';
import { h, clear, fmtInt, fmtPct } from '../dom.js';
import { loading, errorState } from '../widgets.js';
import { draw, purge, baseLayout, ACCENT, colour } from '../charts.js';

const DIAGONAL = { type: 'line', x0: 0, y0: 0, x1: 1, y1: 1, line: { color: '#d0d5dd', dash: 'dot', width: 1 } };

/** The label of a review: 1 positive, 0 negative. */
function labelText(label) {
  return label === 1 ? 'positive' : 'negative';
}

/** A table of reviews: true label, probability (one column per run) and text (or a note when it was not kept). */
function reviewsTable(id, reviews, probabilityHeads) {
  return h('table', { class: 'data reviews-table stack-on-phone', id },
    h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'Review'), h('th', {}, 'True label'),
      probabilityHeads.map((head) => h('th', { class: 'num' }, head)), h('th', {}, 'Text'))),
    h('tbody', {}, reviews.map((r) => h('tr', {},   // data-label: the column's name, shown beside the value on a phone
      h('td', { class: 'num muted' }, `#${fmtInt(r.index)}`),
      h('td', { class: r.label === 1 ? 'prob-pos-text' : 'prob-neg-text', dataset: { label: 'True label' } }, labelText(r.label)),
      r.probabilities.map((p, i) => h('td', { class: 'num', dataset: { label: probabilityHeads[i] } }, fmtPct(p, 1))),
      h('td', { class: 'review-text cell-wide' }, r.text ?? h('span', { class: 'muted' }, 'text not kept (only each run’s 50 most confidently wrong reviews are)'))))));
}

/** Why run `run` shows no Errors yet (or ever): it has not finished, ended without a test, or kept none. */
export function predictionsMissing(run) {
  const status = run?.status;
  if (status === 'failed') return 'None: the run failed before its test, so it has no test predictions. Its log says why.';
  if (status === 'cancelled') return 'None: the run was cancelled before its test, so it has no test predictions.';
  if (status === 'succeeded') {
    return 'None kept: this run succeeded without uploading its test predictions (recorded before they were kept, or the upload failed; see its log).';
  }
  return 'Shown once the run succeeds: its worker uploads the test predictions of the chosen weights.';
}

/** The Errors section of run `runId`; setRun(run) on each change, load() once it has predictions, cleanup() on unmount. */
export function errorsSection(runId) {
  const rocChart = h('div', { class: 'chart chart-sm', id: 'roc-chart' });
  const reliabilityChart = h('div', { class: 'chart chart-sm', id: 'reliability-chart' });
  const placeholder = h('p', { class: 'muted', id: 'errors-empty' }, predictionsMissing(null));
  const content = h('div', { id: 'errors-content' }, placeholder);
  const el = h('section', { class: 'card', id: 'errors-section' },
    h('h2', { class: 'card-title' }, 'Errors', h('span', { class: 'hint' }, 'on the test reviews, threshold 0.5')), content);
  let loaded = false;

  async function load() {
    if (loaded) return;
    loaded = true;
    clear(content, loading('Loading the test predictions…'));
    let reply;
    try {
      reply = await api.predictions(runId);
    } catch (err) {
      clear(content, errorState(`Could not load the test predictions: ${err.message}`));
      return;
    }
    const c = reply.confusion;
    const confusion = h('table', { class: 'data confusion', id: 'confusion-matrix' },
      h('thead', {}, h('tr', {}, h('th', {}, 'true \\ predicted'), h('th', { class: 'num' }, 'negative'), h('th', { class: 'num' }, 'positive'))),
      h('tbody', {},
        h('tr', {}, h('th', {}, 'negative'), h('td', { class: 'num cell-right' }, fmtInt(c.tn)), h('td', { class: 'num cell-wrong' }, fmtInt(c.fp))),
        h('tr', {}, h('th', {}, 'positive'), h('td', { class: 'num cell-wrong' }, fmtInt(c.fn)), h('td', { class: 'num cell-right' }, fmtInt(c.tp)))));
    const wrong = reply.wrong.map((r) => ({ ...r, probabilities: [r.probability] }));
    clear(content,
      h('div', { class: 'errors-summary' },
        h('div', {}, h('div', { class: 'stat-label' }, 'Accuracy'), h('div', { class: 'stat-value', id: 'errors-accuracy' }, fmtPct(reply.accuracy))),
        h('div', {}, h('div', { class: 'stat-label' }, 'ROC AUC'), h('div', { class: 'stat-value', id: 'errors-auc' }, reply.roc.auc === null ? '—' : reply.roc.auc.toFixed(4))),
        h('div', {}, h('div', { class: 'stat-label' }, 'Test reviews'), h('div', { class: 'stat-value' }, fmtInt(reply.n))),
        h('div', { class: 'table-wrap confusion-wrap' }, confusion)),
      h('div', { class: 'grid-2', style: { marginTop: '16px' } }, rocChart, reliabilityChart),
      h('h3', { class: 'subsection-title' }, 'Most confidently wrong reviews'),
      wrong.length
        ? h('div', { class: 'table-wrap' }, reviewsTable('wrong-reviews', wrong, ['P(positive)']))
        : h('p', { class: 'muted' }, 'None kept: the run got every test review right, or its dataset has no text.'));
    await draw(rocChart, [{
      type: 'scatter', mode: 'lines', x: reply.roc.fpr, y: reply.roc.tpr, line: { color: ACCENT, width: 2 }, name: 'ROC',
      hovertemplate: 'false positive rate %{x:.3f}<br>true positive rate %{y:.3f}<extra></extra>',
    }], baseLayout({
      title: { text: `ROC, AUC ${reply.roc.auc === null ? '—' : reply.roc.auc.toFixed(4)}`, font: { size: 13 } },
      xaxis: { title: { text: 'false positive rate' }, range: [0, 1] }, yaxis: { title: { text: 'true positive rate' }, range: [0, 1.02] },
      shapes: [DIAGONAL], showlegend: false, margin: { l: 56, r: 16, t: 40, b: 48 },
    }));
    const rel = reply.reliability;
    await draw(reliabilityChart, [{
      type: 'scatter', mode: 'lines+markers', x: rel.mean_probability, y: rel.fraction_positive, line: { color: colour(1), width: 2 },
      customdata: rel.count, marker: { size: rel.count.map((n) => 5 + 10 * Math.sqrt(n / Math.max(...rel.count, 1))) },
      hovertemplate: 'mean P(positive) %{x:.3f}<br>share positive %{y:.3f}<br>%{customdata:,} reviews<extra></extra>', name: 'bins',
    }], baseLayout({
      title: { text: 'Reliability (10 bins; marker size: reviews)', font: { size: 13 } },
      xaxis: { title: { text: 'mean predicted probability' }, range: [0, 1] }, yaxis: { title: { text: 'share actually positive' }, range: [0, 1.02] },
      shapes: [DIAGONAL], showlegend: false, margin: { l: 56, r: 16, t: 40, b: 48 },
    }));
  }

  return {
    el,
    load,
    setRun(run) {
      placeholder.textContent = predictionsMissing(run);
    },
    cleanup: () => {
      purge(rocChart);
      purge(reliabilityChart);
    },
  };
}

/** Compare's card for two runs with kept predictions: how often they disagree, McNemar's test, the reviews. */
export function disagreementCard(first, second) {
  const content = h('div', {}, loading('Comparing the two runs’ test predictions…'));
  const el = h('section', { class: 'card', id: 'disagreement-section', style: { marginTop: '24px' } },
    h('h2', { class: 'card-title' }, `Where #${first.id} and #${second.id} disagree`, h('span', { class: 'hint' }, 'same test reviews, threshold 0.5')),
    content);
  api.disagreement(first.id, second.id).then((d) => {
    clear(content,
      h('p', { id: 'disagreement-summary' },
        h('strong', {}, `${fmtPct(d.rate)} of ${fmtInt(d.n)} test reviews`), ` (${fmtInt(d.disagreements)}): `,
        `${fmtInt(d.only_first_right)} only #${first.id} got right, ${fmtInt(d.only_second_right)} only #${second.id}. `,
        `${d.test.test}: p = ${d.test.p_value < 0.001 ? d.test.p_value.toExponential(1) : d.test.p_value.toFixed(3)} — ${d.test.reading}.`),
      d.reviews.length ? h('div', { class: 'table-wrap' }, reviewsTable('disagreement-reviews', d.reviews, [`#${first.id}`, `#${second.id}`])) : null);
  }).catch((err) => clear(content, errorState(`Could not compare the predictions: ${err.message}`)));
  return el;
}
