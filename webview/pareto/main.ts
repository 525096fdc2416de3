/**
 * Pareto panel (browser code): a Chart.js scatter of design points on two
 * chosen axes, the non-dominated front the host computed drawn as a line,
 * dominated points dimmed (or hidden), colour by mode, marker size by
 * crossbar size, log axes; hover shows the point, click opens its mapping;
 * PNG and CSV export go through the host (it owns the save dialog).
 */
import { Chart, ScatterController, LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, type ChartDataset } from 'chart.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { checkHostToPareto } from '../shared/guards';
import { announceReady, onHostMessage, vscodeApi } from '../shared/vscode';
import { button, checkbox, el, num, pct, select } from '../shared/dom';
import { isHighContrast, modeColour, onThemeChange, parseColour, rgbaCss, themeVar } from '../shared/theme';

import type { ParetoMetric, ParetoPoint, ParetoToHost, ParetoView } from '../../src/protocol/webview';
Chart.register(ScatterController, LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

interface State {
  x?: ParetoMetric;
  y?: ParetoMetric;
  logX?: boolean;
  logY?: boolean;
  hideDominated?: boolean;
  /** The sweep folder shown (restores the panel on it after a reload); absent: every run. */
  key?: string;
}
const vscode = vscodeApi<ParetoToHost, State>();
const state: State = { x: 'area', y: 'energy', logX: false, logY: false, hideDominated: false, ...vscode.getState() };
const save = () => vscode.setState({ ...state });

const METRICS: { value: ParetoMetric; label: string; unit: string }[] = [
  { value: 'area', label: 'area (mm²)', unit: 'mm²' },
  { value: 'energy', label: 'energy (µJ per classification)', unit: 'µJ' },
  { value: 'accuracy', label: 'test accuracy', unit: '' },
  { value: 'accuracyLoss', label: 'accuracy loss vs original', unit: '' },
  { value: 'mpes', label: 'mPEs (crossbars)', unit: '' },
];
const label = (m: ParetoMetric) => METRICS.find((x) => x.value === m)!.label;
const fmt = (m: ParetoMetric, v: number | undefined) => (v === undefined ? '—' : m === 'accuracy' || m === 'accuracyLoss' ? pct(v) : m === 'mpes' ? String(v) : `${num(v)} ${METRICS.find((x) => x.value === m)!.unit}`);

const root = document.getElementById('root')!;
let view: ParetoView | undefined;
let chart: Chart | undefined;

interface Datum {
  x: number;
  y: number;
  i: number;
}

/** Marker radius by crossbar size: 16 → 3 px … 256 → 9 px. */
const radius = (crossbar: number) => 3 + 1.5 * Math.max(0, Math.log2(crossbar / 16));

function tooltipLines(p: ParetoPoint): string[] {
  const lines = [`${p.mode} · ${p.crossbar}×${p.crossbar}${p.preset ? ` · ${p.preset}` : ''}`, `${p.epochs} epochs${p.compare ? ` · ${p.compare}` : ''}`];
  if (p.sweep) {
    const axes = Object.entries(p.sweep.axes);
    if (axes.length) lines.push(`axes: ${axes.map(([k, v]) => `${k} = ${v}`).join(', ')}`);
    if (p.sweep.recommended) lines.push('★ recommended design');
    if (p.sweep.repriced) lines.push('re-priced from a shared training');
  }
  if (p.sweep?.seeds) lines.push(`over seeds ${p.sweep.seeds.join(', ')}: means, ± sample std, (min–max)`);
  if (p.sweep?.verdict) lines.push(`accuracy: ${p.sweep.verdict}`);
  for (const m of METRICS) {
    const v = p.values[m.value];
    if (v === undefined) continue;
    const s = p.spread?.[m.value];
    lines.push(`${m.label}: ${fmt(m.value, v)}${s ? `${s.std !== undefined ? ` ± ${fmt(m.value, s.std)}` : ''} (${fmt(m.value, s.min)}–${fmt(m.value, s.max)})` : ''}`);
  }
  return lines;
}

function render(): void {
  const t0 = performance.now();
  chart?.destroy();
  chart = undefined;
  root.replaceChildren();
  const x = state.x ?? 'area';
  const y = state.y === x ? (METRICS.find((m) => m.value !== x)!.value) : (state.y ?? 'energy');
  const opts = METRICS.map((m) => ({ value: m.value, label: m.label }));
  const bar = el(
    'div',
    { class: 'toolbar' },
    select('x-axis', 'x', opts, x, (v) => ((state.x = v as ParetoMetric), save(), render())),
    select('y-axis', 'y', opts, y, (v) => ((state.y = v as ParetoMetric), save(), render())),
    checkbox('log-x', 'log x', state.logX ?? false, (b) => ((state.logX = b), save(), render())),
    checkbox('log-y', 'log y', state.logY ?? false, (b) => ((state.logY = b), save(), render())),
    checkbox('hide-dominated', 'hide dominated', state.hideDominated ?? false, (b) => ((state.hideDominated = b), save(), render())),
    button('Export PNG', () => chart && vscode.postMessage({ type: 'exportPng', dataUrl: chart.toBase64Image('image/png') }), true),
    button('Export CSV', () => vscode.postMessage({ type: 'exportCsv', x, y }), true),
  );
  const sw = view?.sweep;
  root.append(el('div', { class: 'head' }, el('h2', {}, sw ? `Sweep ${sw.name}` : 'Design points')), bar);
  if (!view) {
    root.append(el('p', { class: 'empty' }, 'Loading…'));
    return;
  }
  if (sw) {
    const rec = view.points.find((p) => p.sweep?.recommended);
    const parts = [`${sw.done} of ${sw.planned} points done${sw.failed ? ` (${sw.failed} failed)` : ''}`];
    if (rec) parts.push(`★ recommended: ${rec.name} (lowest area × energy within ${pct(sw.accuracyLossLimit)} accuracy loss)`);
    else if (sw.noRecommendation) parts.push(`no recommendation: ${sw.noRecommendation}`);
    root.append(el('p', { class: 'note', id: 'sweep-summary', ...(rec ? { 'data-recommended': rec.sweep!.id } : {}) }, parts.join(' · ')));
  }
  const key = `${x}|${y}`;
  const pts = view.points;
  const shown = pts.map((p, i) => ({ p, i })).filter(({ p }) => p.values[x] !== undefined && p.values[y] !== undefined);
  const front = view.fronts[key] ?? [];
  if (shown.length === 0) {
    const none = sw ? 'No priced points yet: points appear as the sweep\'s trainings finish.' : 'No completed runs yet: run, compare or sweep a config; points appear as runs finish.';
    root.append(el('p', { class: 'empty', id: 'no-points' }, pts.length ? `No point has both ${label(x)} and ${label(y)} (area and energy come from the end-of-run evaluation).` : none));
    return;
  }
  const fg = themeVar('--vscode-foreground', '#ccc');
  const grid = themeVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  const bg = themeVar('--vscode-editor-background', '#1e1e1e');
  const modes = [...new Set(shown.map(({ p }) => p.mode))];
  const dim = isHighContrast() ? 0.5 : 0.3;
  const datasets: ChartDataset<'scatter' | 'line', Datum[]>[] = modes.map((mode) => {
    const own = shown.filter(({ p }) => p.mode === mode && !(state.hideDominated && p.dominated[key]));
    const c = parseColour(modeColour(mode));
    return {
      type: 'scatter' as const,
      label: mode,
      data: own.map(({ p, i }) => ({ x: p.values[x]!, y: p.values[y]!, i })),
      pointRadius: own.map(({ p }) => radius(p.crossbar)),
      pointHoverRadius: own.map(({ p }) => radius(p.crossbar) + 2),
      // Dominated: faint (less so in high contrast, where faint fill vanishes on black), with a full-colour ring.
      backgroundColor: own.map(({ p }) => rgbaCss(c, p.dominated[key] ? dim : 0.95)),
      borderColor: own.map(({ p }) => (p.dominated[key] ? rgbaCss(c, 0.9) : fg)),
      borderWidth: own.map(({ p }) => (p.dominated[key] ? 1 : 1.5)),
    };
  });
  // Designs over several seeds: ± one sample std on each axis, as error bars (a NaN point breaks the line between bars).
  const bars = shown.filter(({ p }) => p.spread?.[x]?.std !== undefined || p.spread?.[y]?.std !== undefined);
  if (bars.length) {
    const data: Datum[] = [];
    for (const { p, i } of bars) {
      const [px, py] = [p.values[x]!, p.values[y]!];
      const sx = p.spread?.[x]?.std ?? 0;
      const sy = p.spread?.[y]?.std ?? 0;
      if (sx > 0) data.push({ x: px - sx, y: py, i }, { x: px + sx, y: py, i }, { x: NaN, y: NaN, i });
      if (sy > 0) data.push({ x: px, y: py - sy, i }, { x: px, y: py + sy, i }, { x: NaN, y: NaN, i });
    }
    datasets.push({
      type: 'line' as const,
      label: '± std over seeds',
      data,
      borderColor: fg,
      borderWidth: 1,
      pointRadius: 0,
      pointHitRadius: 0,
      spanGaps: false,
      fill: false,
    });
  }
  // The recommended design of a sweep: a star over its marker.
  const rec = shown.filter(({ p }) => p.sweep?.recommended);
  if (rec.length)
    datasets.push({
      type: 'scatter' as const,
      label: 'recommended',
      data: rec.map(({ p, i }) => ({ x: p.values[x]!, y: p.values[y]!, i })),
      pointStyle: 'star',
      pointRadius: rec.map(({ p }) => radius(p.crossbar) + 6),
      pointHoverRadius: rec.map(({ p }) => radius(p.crossbar) + 7),
      backgroundColor: 'rgba(0,0,0,0)',
      borderColor: fg,
      borderWidth: 2,
    });
  datasets.unshift({
    type: 'line' as const,
    label: 'front',
    data: front.map((i) => ({ x: pts[i].values[x]!, y: pts[i].values[y]!, i })),
    borderColor: fg,
    borderDash: [5, 4],
    borderWidth: 1.5,
    pointRadius: 0,
    pointHitRadius: 0,
    fill: false,
    stepped: false,
  });
  const noun = sw ? 'points' : pts.some((p) => p.sweep) ? 'points' : 'runs';
  const canvas = el('canvas', { id: 'pareto', role: 'img', 'aria-label': `${label(y)} against ${label(x)}: ${shown.length} ${noun}, ${front.length} on the front` });
  root.append(el('div', { class: 'chart big' }, canvas));
  const positive = (m: ParetoMetric) => shown.every(({ p }) => p.values[m]! > 0);
  const axis = (m: ParetoMetric, log: boolean) => ({
    type: log && positive(m) ? ('logarithmic' as const) : ('linear' as const),
    title: { display: true, text: `${label(m)} — ${view!.minimise[m] ? 'lower is better' : 'higher is better'}`, color: fg },
    ticks: { color: fg, callback: (v: number | string) => fmt(m, Number(v)) },
    grid: { color: grid },
  });
  chart = new Chart(canvas, {
    type: 'scatter',
    data: { datasets: datasets as ChartDataset<'scatter', Datum[]>[] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      plugins: {
        legend: {
          onClick: () => undefined,
          labels: {
            color: fg,
            usePointStyle: true,
            // Full mode colours (the datasets' first points may be dimmed), the front as a dashed line.
            generateLabels: (c) =>
              c.data.datasets.map((d, i) => {
                const front = d.label === 'front';
                const star = d.label === 'recommended';
                const bar = d.label === '± std over seeds';
                return { text: d.label ?? '', datasetIndex: i, fontColor: fg, fillStyle: front || star || bar ? fg : modeColour(d.label ?? ''), strokeStyle: fg, lineWidth: 1, lineDash: front ? [5, 4] : [], pointStyle: front || bar ? 'line' : star ? 'star' : 'circle', hidden: false };
              }),
          },
        },
        tooltip: {
          backgroundColor: themeVar('--vscode-editorHoverWidget-background', bg),
          titleColor: themeVar('--vscode-editorHoverWidget-foreground', fg),
          bodyColor: themeVar('--vscode-editorHoverWidget-foreground', fg),
          // Chart.js's default footer colour is white: unreadable on a light theme's hover.
          footerColor: themeVar('--vscode-editorHoverWidget-foreground', fg),
          borderColor: themeVar('--vscode-editorHoverWidget-border', grid),
          borderWidth: 1,
          filter: (item) => item.dataset.label !== 'front' && item.dataset.label !== 'recommended' && item.dataset.label !== '± std over seeds',
          // The tooltip's text is mirrored into a live region, for screen readers.
          external: ({ tooltip }) => {
            const live = document.getElementById('pareto-hover');
            if (live) live.textContent = tooltip.opacity === 0 ? '' : [...(tooltip.title ?? []), ...tooltip.body.flatMap((b) => b.lines), ...(tooltip.footer ?? [])].join('\n');
          },
          callbacks: {
            title: (items) => (items[0] ? pts[(items[0].raw as Datum).i].name : ''),
            label: (item) => tooltipLines(pts[(item.raw as Datum).i]),
            footer: (items) => (items[0] ? `${pts[(items[0].raw as Datum).i].dominated[key] ? 'dominated' : 'on the front'} · click to open its mapping` : ''),
          },
        },
      },
      onClick: (_e, elements) => {
        const hit = elements.find((h) => chart!.data.datasets[h.datasetIndex].label !== 'front');
        if (!hit) return;
        const d = chart!.data.datasets[hit.datasetIndex].data[hit.index] as unknown as Datum;
        vscode.postMessage({ type: 'openMapping', key: pts[d.i].key });
      },
      scales: { x: axis(x, state.logX ?? false), y: axis(y, state.logY ?? false) },
    },
  });
  // The front as a table too: for screen readers, and what the tests read.
  const table = el('table', { class: 'sr', id: 'front' }, el('caption', {}, `Non-dominated ${noun}`));
  for (const i of front)
    table.append(
      el(
        'tr',
        { 'data-key': pts[i].key, 'data-i': String(i), ...(pts[i].sweep ? { 'data-point': pts[i].sweep!.id, 'data-recommended': String(pts[i].sweep!.recommended) } : {}) },
        el('td', {}, pts[i].name),
        el('td', {}, pts[i].mode),
        el('td', {}, fmt(x, pts[i].values[x])),
        el('td', {}, fmt(y, pts[i].values[y])),
      ),
    );
  const c = chart;
  // Where each front point is drawn (CSS pixels in the canvas), for keyboard and test tools.
  for (const row of table.querySelectorAll('tr')) {
    const p = pts[Number(row.dataset.i)];
    row.dataset.px = String(c.scales.x.getPixelForValue(p.values[x]!));
    row.dataset.py = String(c.scales.y.getPixelForValue(p.values[y]!));
  }
  root.append(table, el('div', { class: 'sr', id: 'pareto-hover', 'aria-live': 'polite' }), el('p', { class: 'note' }, `${shown.length} ${noun}, ${front.length} on the front (dashed). Filled: non-dominated; faint: dominated. Marker size: crossbar size.${rec.length ? ' Star: the recommended design.' : ''} Area and energy are model estimates.`));
  canvas.dataset.renderMs = (performance.now() - t0).toFixed(2);
}

onHostMessage(checkHostToPareto, (m) => {
  view = m.view;
  if (state.key !== m.view.sweep?.dir) {
    state.key = m.view.sweep?.dir;
    save();
  }
  render();
});
onThemeChange(() => render());
render();
announceReady(() => vscode.postMessage({ type: 'ready' }));
