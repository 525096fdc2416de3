/**
 * Run details (browser code of the webview view): renders what the host
 * sends — the selected run's key numbers and its curves — and asks the host
 * to open the report or reveal the folder. No Node, no `vscode` module.
 */
import { Chart, LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, CategoryScale } from 'chart.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { onThemeChange } from '../shared/theme';
import { reductionText } from './reduction';
import type { DetailsRun, DetailsSweep, DetailsToHost, HostToDetails } from '../../src/protocol/webview';

import type { TrainProgress } from '../../src/engine/format/metrics';
Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

interface VsCodeApi {
  postMessage(m: DetailsToHost): void;
  getState(): { run?: DetailsRun } | undefined;
  setState(s: { run?: DetailsRun }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const root = document.getElementById('root')!;
let charts: Chart[] = [];
let current: DetailsRun | undefined = vscode.getState()?.run;

const css = (name: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || '#888';
const pct = (x: number | undefined, d = 2) => (x === undefined ? '—' : `${(100 * x).toFixed(d)}%`);
const num = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
};

function row(label: string, value: string): HTMLTableRowElement {
  return el('tr', {}, el('th', {}, label), el('td', {}, value));
}

function chart(title: string, labels: number[], series: { label: string; data: number[]; colour: string }[], percent: boolean): HTMLElement {
  const canvas = el('canvas', { 'aria-label': title, role: 'img' });
  const box = el('div', { class: 'chart' }, el('h3', {}, title), canvas);
  const fg = css('--vscode-foreground');
  const grid = css('--vscode-editorWidget-border');
  queueMicrotask(() =>
    charts.push(
      new Chart(canvas, {
        type: 'line',
        data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data, borderColor: s.colour, backgroundColor: s.colour, pointRadius: labels.length <= 30 ? 2.5 : 0, borderWidth: 2, tension: 0 })) },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { labels: { color: fg, boxWidth: 10 } } },
          scales: {
            x: { title: { display: true, text: 'epoch', color: fg }, ticks: { color: fg, maxTicksLimit: 8 }, grid: { color: grid } },
            y: { ticks: { color: fg, callback: (v) => (percent ? `${(100 * Number(v)).toFixed(1)}%` : String(v)) }, grid: { color: grid } },
          },
        },
      }),
    ),
  );
  return box;
}

function render(run: DetailsRun | undefined, progress?: TrainProgress): void {
  charts.forEach((c) => c.destroy());
  charts = [];
  root.replaceChildren();
  if (!run) {
    root.append(el('p', { class: 'empty' }, 'Select a run in the Runs view.'));
    return;
  }
  const badge = el('vscode-badge' as 'span', { variant: 'default' }, run.live ? 'running' : run.status);
  const head = el('div', { class: 'head' }, el('h2', {}, run.name), badge);
  if (run.live) head.append(el('vscode-progress-ring' as 'span', { class: 'ring' }));
  root.append(head);
  if (progress && run.live)
    root.append(
      el('p', { class: 'live' }, `epoch ${progress.epoch}/${progress.epochs}, batch ${progress.batch}/${progress.batches} · loss ${progress.loss.toFixed(4)} · ${Math.round(progress.samplesPerSecond)} samples/s · ETA ${Math.floor(progress.etaSeconds / 60)}:${String(Math.round(progress.etaSeconds % 60)).padStart(2, '0')}`),
    );
  const t = el('table', { class: 'numbers' });
  t.append(row('mode', `${run.mode} · ${run.crossbar}×${run.crossbar}`), row('network', run.layers.join('-')), row('epochs', `${run.epochsCompleted} of ${run.epochsPlanned}`));
  if (run.final) t.append(row('test accuracy', pct(run.final.testAccuracy)), row('synapses kept', run.final.keptFraction.map((k) => pct(k, 0)).join(' / ')));
  if (run.mapping) {
    t.append(row('mPEs', `${run.mapping.mpes} (${run.mapping.shown})`), row('utilisation', pct(run.mapping.utilisation, 1)));
    if (run.mapping.clusters.some((c) => c > 0)) t.append(row('clusters', run.mapping.clusters.join(' / ')));
    t.append(row('vs original', reductionText(run.mapping.reductionVsOriginal, 'mPEs')));
    if (run.vsPruning !== undefined) t.append(row('vs pruning', reductionText(run.vsPruning, 'mPEs')));
  }
  if (run.hardware && 'error' in run.hardware) t.append(row('hardware', `evaluation failed: ${run.hardware.error}`));
  else if (run.hardware) {
    const h = run.hardware;
    t.append(
      row('SNN accuracy', `${pct(h.snnAccuracy)} (ANN ${pct(h.annAccuracy)}, T = ${h.timesteps})`),
      row('area', `${num(h.area_mm2)} mm² (${h.preset})`),
      row('energy', `${num(h.energy_uJ)} µJ per classification`),
      row('energy split', `crossbar ${num(h.crossbar_uJ)} · neuron ${num(h.neuron_uJ)} · communication ${num(h.communication_uJ)} µJ`),
    );
    const a = h.hardwareAccuracy;
    if (a)
      t.append(
        row('hardware accuracy', `${pct(a.mean)} ± ${a.std === undefined ? '—' : (100 * a.std).toFixed(2)} (${pct(a.min)}–${pct(a.max)}) over ${a.chips} chip${a.chips === 1 ? '' : 's'} · ${h.preset} ${h.crossbarSize}×${h.crossbarSize} · software ${pct(a.softwareAccuracy)}`),
        row('reliable crossbar', `${a.reliableCrossbar ? `${a.reliableCrossbar}×${a.reliableCrossbar} derived` : 'no size tried is reliable'} (within ${(100 * a.lossLimit).toFixed(2)} pt) · ${h.preset} claims ${a.claimedCrossbar}×${a.claimedCrossbar}`),
      );
  }
  if (run.error) t.append(row('error', run.error));
  const hwNote = run.hardware && 'hardwareAccuracy' in run.hardware ? ' Hardware accuracy is simulated from the preset\'s device model.' : '';
  root.append(t, el('p', { class: 'note' }, `Area and energy are model estimates, not measured silicon.${hwNote}`));
  const buttons = el('div', { class: 'buttons' });
  const report = el('vscode-button' as 'button', {}, 'Open report');
  report.addEventListener('click', () => vscode.postMessage({ type: 'openReport', dir: run.dir }));
  const reveal = el('vscode-button' as 'button', { secondary: '' }, 'Reveal folder');
  reveal.addEventListener('click', () => vscode.postMessage({ type: 'reveal', dir: run.dir }));
  const mapping = el('vscode-button' as 'button', { secondary: '' }, 'Mapping');
  mapping.addEventListener('click', () => vscode.postMessage({ type: 'openMapping', dir: run.dir }));
  const curves = el('vscode-button' as 'button', { secondary: '' }, 'Curves');
  curves.addEventListener('click', () => vscode.postMessage({ type: 'openCurves', dir: run.dir }));
  buttons.append(report, ...(run.status !== 'running' && run.final ? [mapping] : []), curves, reveal);
  root.append(buttons);
  const m = run.metrics;
  if (m.length) {
    const epochs = m.map((x) => x.epoch);
    root.append(
      chart('Accuracy', epochs, [
        { label: 'test', data: m.map((x) => x.testAccuracy), colour: css('--vscode-charts-blue') },
        { label: 'train (dropout)', data: m.map((x) => x.trainAccuracy), colour: css('--vscode-charts-orange') },
      ], true),
    );
    if (m.some((x) => x.transform))
      root.append(chart('mPEs', epochs, [{ label: `mPEs at ${run.crossbar}×${run.crossbar}`, data: m.map((x) => x.transform?.mpes ?? NaN), colour: css('--vscode-charts-green') }], false));
    root.append(
      chart(
        'Synapses kept',
        epochs,
        m[0].keptFraction.map((_, l) => ({ label: `layer ${l + 1}`, data: m.map((x) => x.keptFraction[l]), colour: css(['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple'][l % 4]) })),
        true,
      ),
    );
  }
}

/** A selected sweep: its pareto.json's summary (points, done, failed, invalid, the recommended design). */
let currentSweep: DetailsSweep | undefined;
function renderSweep(sw: DetailsSweep): void {
  charts.forEach((c) => c.destroy());
  charts = [];
  const t = el('table', { class: 'numbers' });
  t.append(row('points', `${sw.done} of ${sw.planned} done${sw.failed ? ` · ${sw.failed} failed` : ''}`));
  if (sw.invalid) t.append(row('invalid designs', `${sw.invalid} beyond their preset's largest reliable crossbar (never recommended)`));
  t.append(row('accuracy-loss limit', pct(sw.accuracyLossLimit)));
  const r = sw.recommended;
  if (r) {
    t.append(row('recommended', `${r.id} · ${r.label}`), row('test accuracy', `${pct(r.testAccuracy)}${r.accuracyLoss !== undefined ? ` (loss ${pct(r.accuracyLoss)})` : ''}`));
    t.append(row('mPEs', String(r.mpes)), row('area', `${num(r.area_mm2)} mm²`), row('energy', `${num(r.energy_uJ)} µJ per classification`));
  } else t.append(row('recommended', sw.noRecommendation ?? 'none yet'));
  const reveal = el('vscode-button' as 'button', { secondary: '' }, 'Reveal folder');
  reveal.addEventListener('click', () => vscode.postMessage({ type: 'reveal', dir: sw.dir }));
  root.replaceChildren(el('div', { class: 'head' }, el('h2', {}, sw.name), el('vscode-badge' as 'span', { variant: 'default' }, 'sweep')), t, el('p', { class: 'note' }, 'Area and energy are model estimates, not measured silicon.'), el('div', { class: 'buttons' }, reveal));
}

let lastProgress: TrainProgress | undefined;
window.addEventListener('message', (event: MessageEvent<HostToDetails>) => {
  const m = event.data;
  switch (m.type) {
    case 'show':
      current = m.run;
      currentSweep = m.sweep;
      vscode.setState({ run: current });
      if (currentSweep) renderSweep(currentSweep);
      else render(current, lastProgress);
      break;
    case 'progress': {
      if (current?.dir !== m.dir) return;
      lastProgress = m.progress;
      const live = root.querySelector('.live');
      const text = `epoch ${m.progress.epoch}/${m.progress.epochs}, batch ${m.progress.batch}/${m.progress.batches} · loss ${m.progress.loss.toFixed(4)} · ${Math.round(m.progress.samplesPerSecond)} samples/s · ETA ${Math.floor(m.progress.etaSeconds / 60)}:${String(Math.round(m.progress.etaSeconds % 60)).padStart(2, '0')}`;
      if (live) live.textContent = text;
      else if (current.live) root.querySelector('.head')?.after(el('p', { class: 'live' }, text));
      break;
    }
  }
});

// Charts take their colours from the theme when drawn: redraw on a theme switch.
onThemeChange(() => (currentSweep ? renderSweep(currentSweep) : render(current, lastProgress)));
render(current);
vscode.postMessage({ type: 'ready' });
