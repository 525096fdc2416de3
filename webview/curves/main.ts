/**
 * Training curves panel (browser code): accuracy, loss, pruned and
 * unclustered fractions and mPEs per epoch, extended live as the host
 * forwards each finished epoch. Points are drawn, so one epoch is visible,
 * joined by straight segments: what was measured, nothing between epochs.
 */
import { Chart, LineController, LineElement, PointElement, LinearScale, Legend, Tooltip } from 'chart.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { checkHostToCurves } from '../shared/guards';
import { announceReady, onHostMessage, vscodeApi } from '../shared/vscode';
import { button, el, num, pct } from '../shared/dom';
import { recordPlacement } from '../shared/placement';
import { chartColour, onThemeChange, themeVar } from '../shared/theme';

import type { CurvesToHost, CurvesView } from '../../src/protocol/webview';
import type { EpochMetrics } from '../../src/engine/format/metrics';
Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

const vscode = vscodeApi<CurvesToHost, { key?: string }>();
const root = document.getElementById('root')!;
let view: CurvesView | undefined;
let charts: { chart: Chart; series: (m: EpochMetrics[]) => { label: string; data: { x: number; y: number }[] }[] }[] = [];

type Series = (m: EpochMetrics[]) => { label: string; data: { x: number; y: number }[] }[];

/** One series in epoch order (the scale and the hover lookup need it sorted), non-finite values left out. */
const pts = (m: EpochMetrics[], f: (x: EpochMetrics) => number | undefined) =>
  m.flatMap((x) => (f(x) === undefined || !Number.isFinite(f(x)!) ? [] : [{ x: x.epoch, y: f(x)! }])).sort((a, b) => a.x - b.x);

function chart(id: string, title: string, series: Series, percent: boolean, metrics: EpochMetrics[], integer = false): HTMLElement {
  const canvas = el('canvas', { id, role: 'img', 'aria-label': title });
  const box = el('div', { class: 'chart' }, el('h3', {}, title), canvas);
  const fg = themeVar('--vscode-foreground', '#ccc');
  const grid = themeVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  const data = series(metrics);
  const c = new Chart(canvas, {
    type: 'line',
    data: {
      // tension 0: straight segments between measured epochs (a spline would draw values never measured).
      datasets: data.map((s, k) => ({ label: s.label, data: s.data, borderColor: chartColour(k), backgroundColor: chartColour(k), pointRadius: 2.5, pointHoverRadius: 4, borderWidth: 2, tension: 0 })),
    },
    plugins: [{ id: 'placement', afterRender: (ch) => recordPlacement(ch) }],
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { labels: { color: fg, boxWidth: 10 } }, tooltip: { callbacks: { label: (i) => `${i.dataset.label}: ${percent ? pct(i.parsed.y ?? NaN) : num(i.parsed.y ?? NaN)}` } } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'epoch', color: fg }, ticks: { color: fg, precision: 0 }, grid: { color: grid }, suggestedMin: 1, suggestedMax: Math.max(2, view?.epochsPlanned ?? 2) },
        y: { ticks: { color: fg, ...(integer ? { precision: 0 } : {}), callback: (v) => (percent ? pct(Number(v), 1) : num(Number(v))) }, grid: { color: grid }, ...(percent ? { suggestedMin: 0 } : {}) },
      },
    },
  });
  charts.push({ chart: c, series });
  return box;
}

const layers = (m: EpochMetrics[]) => m[0]?.keptFraction.length ?? 0;

function render(): void {
  charts.forEach((c) => c.chart.destroy());
  charts = [];
  root.replaceChildren();
  const v = view;
  if (!v) {
    root.append(el('p', { class: 'empty' }, 'Loading…'));
    return;
  }
  const m = v.metrics;
  const head = el('div', { class: 'head' }, el('h2', {}, v.name), el('vscode-badge' as 'span', {}, v.live ? 'running' : v.status), el('span', { class: 'muted', id: 'epochs' }, `${v.mode} · ${m.length} of ${v.epochsPlanned} epochs`));
  const bar = el('div', { class: 'toolbar' }, button('Open mapping', () => vscode.postMessage({ type: 'openMapping', key: v.key }), true));
  root.append(head, bar);
  if (m.length === 0) {
    root.append(el('p', { class: 'empty', id: 'waiting' }, v.live ? 'Waiting for the first epoch…' : 'This run has no finished epoch.'));
    return;
  }
  const grid = el('div', { class: 'charts' });
  grid.append(
    chart('accuracy', 'Accuracy', (x) => [{ label: 'test', data: pts(x, (e) => e.testAccuracy) }, { label: 'train (dropout)', data: pts(x, (e) => e.trainAccuracy) }], true, m),
    chart('loss', 'Loss', (x) => [{ label: 'train', data: pts(x, (e) => e.trainLoss) }, { label: 'test', data: pts(x, (e) => e.testLoss) }], false, m),
  );
  if (m.some((e) => e.transform)) {
    grid.append(
      chart('pruned', 'Pruned fraction', (x) => Array.from({ length: layers(x) }, (_, l) => ({ label: `layer ${l + 1}`, data: pts(x, (e) => e.transform?.prunedFraction[l]) })), true, m),
      chart('unclustered', 'Unclustered synapses (÷ layer size)', (x) => Array.from({ length: layers(x) }, (_, l) => ({ label: `layer ${l + 1}`, data: pts(x, (e) => e.transform?.unclusteredFraction[l]) })), true, m),
      chart('mpes', `mPEs at ${v.crossbar}×${v.crossbar}`, (x) => [{ label: 'mPEs', data: pts(x, (e) => e.transform?.mpes) }], false, m, true),
    );
  } else grid.append(chart('kept', 'Synapses kept', (x) => Array.from({ length: layers(x) }, (_, l) => ({ label: `layer ${l + 1}`, data: pts(x, (e) => e.keptFraction[l]) })), true, m));
  root.append(grid);
}

/** A new epoch: extend every chart in place (no rebuild). */
function addEpoch(e: EpochMetrics): void {
  if (!view) return;
  view.metrics = [...view.metrics.filter((x) => x.epoch !== e.epoch), e].sort((a, b) => a.epoch - b.epoch);
  if (charts.length === 0 || (e.transform && !charts.some((c) => c.chart.canvas.id === 'mpes'))) return render();
  for (const c of charts) {
    c.series(view.metrics).forEach((s, k) => {
      if (c.chart.data.datasets[k]) c.chart.data.datasets[k].data = s.data;
    });
    c.chart.update('none');
  }
  const label = document.getElementById('epochs');
  if (label) label.textContent = `${view.mode} · ${view.metrics.length} of ${view.epochsPlanned} epochs`;
}

onHostMessage(checkHostToCurves, (m) => {
  if (m.type === 'show') {
    view = m.view;
    vscode.setState({ key: view.key });
    render();
  } else if (view && m.key === view.key) addEpoch(m.metrics);
});
onThemeChange(() => render());
render();
announceReady(() => vscode.postMessage({ type: 'ready' }));
