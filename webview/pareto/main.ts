/**
 * Pareto panel (browser code): a Chart.js scatter of design points on two
 * chosen axes, the non-dominated front the host computed drawn as a line,
 * dominated points dimmed (or hidden), colour by mode, marker size by
 * crossbar size, log axes; invalid points (priced beyond their preset's
 * largest reliable crossbar) crossed out and never starred; hover shows the
 * point, click opens its mapping; PNG export draws the chart again on white
 * at 2× with a print palette, CSV export too goes through the host (it owns
 * the save dialog).
 */
import { Chart, ScatterController, LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Title, Tooltip, type ChartConfiguration, type ChartDataset, type Plugin } from 'chart.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { checkHostToPareto } from '../shared/guards';
import { announceReady, onHostMessage, vscodeApi } from '../shared/vscode';
import { button, checkbox, el, num, pct, select } from '../shared/dom';
import { recordPlacement } from '../shared/placement';
import { isHighContrast, modeColour, onThemeChange, parseColour, rgbaCss, themeVar } from '../shared/theme';

import type { ParetoMetric, ParetoPoint, ParetoToHost, ParetoView } from '../../src/protocol/webview';
Chart.register(ScatterController, LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Title, Tooltip);

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
  { value: 'hwAccuracy', label: 'hardware accuracy (simulated chips)', unit: '' },
];
const label = (m: ParetoMetric) => METRICS.find((x) => x.value === m)!.label;
const fmt = (m: ParetoMetric, v: number | undefined) => (v === undefined ? '—' : m === 'accuracy' || m === 'accuracyLoss' || m === 'hwAccuracy' ? pct(v) : m === 'mpes' ? String(v) : `${num(v)} ${METRICS.find((x) => x.value === m)!.unit}`);

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

const FRONT = 'front';
const BARS = '± std over seeds';
const STAR = 'recommended';
const INVALID = 'invalid: crossbar beyond its preset\'s limit';
/** Datasets drawn over the points (not points themselves): no tooltip of their own. */
const OVERLAYS = new Set([FRONT, BARS, STAR, INVALID]);

const invalid = (p: ParetoPoint) => (p.warnings?.length ?? 0) > 0;

/** A training time as people read it: "48 s", "3 min 07 s", "1 h 02 min". */
function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - 60 * m)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Column heads of the points table (the axis menus keep the long labels). */
const SHORT: Record<ParetoMetric, string> = { area: 'area (mm²)', energy: 'energy (µJ)', accuracy: 'test accuracy', accuracyLoss: 'accuracy loss', mpes: 'mPEs', hwAccuracy: 'hardware accuracy' };

/**
 * A sweep's points as a visible table: its axes (the levers a point was made
 * with), its figures and what it cost (training time), which are on the
 * sweep's own front over all its objectives, the recommended one and the
 * invalid ones. Points that differ only in a lever the chart's two axes do
 * not see (placement, remap) are drawn on top of each other; here each has
 * its row.
 */
function pointsTable(pts: ParetoPoint[], objectives: string[] | undefined): HTMLElement {
  const rows = pts.filter((p) => p.sweep);
  const axes = [...new Set(rows.flatMap((p) => Object.keys(p.sweep!.axes)))];
  const known = METRICS.filter((m) => rows.some((p) => p.values[m.value] !== undefined));
  // A figure no lever moved (every point prints the same) is said once, in the caption: the columns left are what differs.
  const same = rows.length > 1 ? known.filter((m) => new Set(rows.map((p) => fmt(m.value, p.values[m.value]))).size === 1) : [];
  const metrics = known.filter((m) => !same.includes(m));
  const timed = rows.some((p) => p.trainSeconds !== undefined);
  // Styled in place (panels.css has no table rule): the theme's border colour between rows, figures aligned right.
  // Headers wrap, figures do not: the table stays as narrow as its figures.
  const cell = (tag: 'th' | 'td', text: string, numeric = false, attrs: Record<string, string> = {}) =>
    el(
      tag,
      { ...attrs, style: `padding:2px 12px 2px 0;text-align:${numeric ? 'right' : 'left'};vertical-align:bottom;border-bottom:1px solid var(--vscode-editorWidget-border, rgba(128,128,128,0.35))${tag === 'th' ? ';font-weight:600' : ';white-space:nowrap'}` },
      text,
    );
  const frontOf = objectives?.length ? `front (${objectives.join(', ')})` : 'front';
  const head = el('tr', {}, cell('th', 'point'), ...axes.map((a) => cell('th', a, false, { 'data-axis': a })), ...metrics.map((m) => cell('th', SHORT[m.value], true, { 'data-metric': m.value })), ...(timed ? [cell('th', 'training time', true)] : []), cell('th', frontOf));
  const table = el('table', { id: 'points', style: 'border-collapse:collapse;font-size:0.92em' }, el('caption', { style: 'text-align:left;padding:4px 0;color:var(--vscode-descriptionForeground)' }, `Every point: its axes, its figures${timed ? ', its training time' : ''}${same.length ? `; the same for every point: ${same.map((m) => `${SHORT[m.value]} ${fmt(m.value, rows[0].values[m.value])}`).join(', ')}` : ''}`), el('thead', {}, head));
  const body = el('tbody', {});
  for (const p of rows) {
    const sw = p.sweep!;
    const marks = [sw.onFront ? '● on the front' : '', sw.recommended && !invalid(p) ? '★ recommended' : '', invalid(p) ? '⚠ invalid' : ''].filter(Boolean).join(' · ');
    body.append(
      el(
        'tr',
        { 'data-point': sw.id, 'data-on-front': String(sw.onFront === true), 'data-recommended': String(sw.recommended && !invalid(p)), ...(invalid(p) ? { 'data-invalid': 'true' } : {}), ...(p.trainSeconds !== undefined ? { 'data-train-s': String(p.trainSeconds) } : {}) },
        cell('td', sw.id),
        ...axes.map((a) => cell('td', sw.axes[a] ?? '—', false, { 'data-axis': a })),
        ...metrics.map((m) => cell('td', fmt(m.value, p.values[m.value]), true, { 'data-metric': m.value })),
        ...(timed ? [cell('td', p.trainSeconds === undefined ? '—' : duration(p.trainSeconds), true, { 'data-metric': 'trainSeconds' })] : []),
        cell('td', marks || 'dominated'),
      ),
    );
  }
  table.append(body);
  // Its own scroller: a wide table scrolls inside it, the panel does not scroll sideways.
  return el('div', { style: 'overflow-x:auto;max-width:100%;margin:8px 0 12px' }, table);
}

function tooltipLines(p: ParetoPoint): string[] {
  const lines = [`${p.mode} · ${p.crossbar}×${p.crossbar}${p.preset ? ` · ${p.preset}` : ''}`, `${p.epochs} epochs${p.compare ? ` · ${p.compare}` : ''}`];
  if (invalid(p)) lines.push(...p.warnings!.map((w) => `⚠ invalid design: ${w}`), '⚠ never recommended');
  if (p.beyondClaim) lines.push(`beyond the claim: ${p.beyondClaim}`);
  if (p.sweep) {
    const axes = Object.entries(p.sweep.axes);
    if (axes.length) lines.push(`axes: ${axes.map(([k, v]) => `${k} = ${v}`).join(', ')}`);
    if (p.sweep.recommended && !invalid(p)) lines.push('★ recommended design');
    if (p.sweep.repriced) lines.push('re-priced from a shared training');
  }
  if (p.trainSeconds !== undefined) lines.push(`training: ${duration(p.trainSeconds)}`);
  if (p.sweep?.seeds) lines.push(`over seeds ${p.sweep.seeds.join(', ')}: means, ± sample std, (min–max)`);
  if (p.sweep?.verdict) lines.push(`accuracy: ${p.sweep.verdict}`);
  for (const m of METRICS) {
    const v = p.values[m.value];
    if (v === undefined) continue;
    const s = p.spread?.[m.value];
    lines.push(`${m.label}: ${fmt(m.value, v)}${s ? `${s.std !== undefined ? ` ± ${fmt(m.value, s.std)}` : ''} (${fmt(m.value, s.min)}–${fmt(m.value, s.max)})` : ''}`);
    // One network's chip-to-chip spread (a design over seeds shows its seeds' spread above instead).
    const c = m.value === 'hwAccuracy' && !s ? p.hwChips : undefined;
    if (c) lines.push(`  over ${c.chips} chip${c.chips === 1 ? '' : 's'}: ± ${c.std === undefined ? '—' : fmt('hwAccuracy', c.std)} (${fmt('hwAccuracy', c.min)}–${fmt('hwAccuracy', c.max)})`);
  }
  return lines;
}

/** The colours a chart is drawn with: the editor's theme on screen, a fixed light palette on paper. */
interface Paint {
  fg: string;
  grid: string;
  bg: string;
  tip: { bg: string; fg: string; border: string };
  invalid: string;
  /** Fill opacity of dominated points. */
  dim: number;
  mode: (mode: string) => string;
  font: number;
}

function screenPaint(): Paint {
  const fg = themeVar('--vscode-foreground', '#ccc');
  const grid = themeVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  const bg = themeVar('--vscode-editor-background', '#1e1e1e');
  const tipFg = themeVar('--vscode-editorHoverWidget-foreground', fg);
  return {
    fg,
    grid,
    bg,
    tip: { bg: themeVar('--vscode-editorHoverWidget-background', bg), fg: tipFg, border: themeVar('--vscode-editorHoverWidget-border', grid) },
    invalid: themeVar('--vscode-errorForeground', themeVar('--vscode-charts-red', '#f14c4c')),
    // Less faint in high contrast, where a faint fill vanishes on black.
    dim: isHighContrast() ? 0.5 : 0.3,
    mode: (m) => modeColour(m),
    font: 12,
  };
}

/** On paper: dark ink on white, whatever the editor's theme. */
const PRINT: Paint = { fg: '#1f1f1f', grid: '#d0d0d0', bg: '#ffffff', tip: { bg: '#ffffff', fg: '#1f1f1f', border: '#d0d0d0' }, invalid: '#c50f1f', dim: 0.3, mode: (m) => modeColour(m, true), font: 14 };

/** What one projection shows, whatever the colours. */
interface Plot {
  x: ParetoMetric;
  y: ParetoMetric;
  key: string;
  pts: ParetoPoint[];
  /** Points with both values, with their index in `pts`. */
  shown: { p: ParetoPoint; i: number }[];
  front: number[];
  noun: string;
  title: string;
}

/** The projection on screen (what Export PNG draws again). */
let plot: Plot | undefined;

function datasets(plot: Plot, paint: Paint): ChartDataset<'scatter' | 'line', Datum[]>[] {
  const { x, y, key, shown, pts } = plot;
  const at = ({ p, i }: { p: ParetoPoint; i: number }): Datum => ({ x: p.values[x]!, y: p.values[y]!, i });
  // Each dataset in ascending x: Chart.js finds hovered points by x, and the scale must see every point.
  const drawn = shown.filter(({ p }) => !(state.hideDominated && p.dominated[key])).sort((a, b) => a.p.values[x]! - b.p.values[x]!);
  const modes = [...new Set(shown.map(({ p }) => p.mode))];
  const out: ChartDataset<'scatter' | 'line', Datum[]>[] = modes.map((mode) => {
    const own = drawn.filter(({ p }) => p.mode === mode);
    const c = parseColour(paint.mode(mode));
    return {
      type: 'scatter' as const,
      label: mode,
      data: own.map(at),
      pointRadius: own.map(({ p }) => radius(p.crossbar)),
      pointHoverRadius: own.map(({ p }) => radius(p.crossbar) + 2),
      // Dominated: faint, with a full-colour ring.
      backgroundColor: own.map(({ p }) => rgbaCss(c, p.dominated[key] ? paint.dim : 0.95)),
      borderColor: own.map(({ p }) => (p.dominated[key] ? rgbaCss(c, 0.9) : paint.fg)),
      borderWidth: own.map(({ p }) => (p.dominated[key] ? 1 : 1.5)),
    };
  });
  // Designs over several seeds: ± one sample std on each axis, as error bars (a NaN point breaks the line between bars).
  const bars = drawn.filter(({ p }) => p.spread?.[x]?.std !== undefined || p.spread?.[y]?.std !== undefined);
  if (bars.length) {
    const data: Datum[] = [];
    for (const { p, i } of bars) {
      const [px, py] = [p.values[x]!, p.values[y]!];
      const sx = p.spread?.[x]?.std ?? 0;
      const sy = p.spread?.[y]?.std ?? 0;
      if (sx > 0) data.push({ x: px - sx, y: py, i }, { x: px + sx, y: py, i }, { x: NaN, y: NaN, i });
      if (sy > 0) data.push({ x: px, y: py - sy, i }, { x: px, y: py + sy, i }, { x: NaN, y: NaN, i });
    }
    out.push({ type: 'line' as const, label: BARS, data, borderColor: paint.fg, borderWidth: 1, pointRadius: 0, pointHitRadius: 0, spanGaps: false, fill: false });
  }
  // Invalid designs: a cross over the marker, in the error colour (order −1: drawn on top of every other dataset).
  const bad = drawn.filter(({ p }) => invalid(p));
  if (bad.length)
    out.push({ type: 'scatter' as const, label: INVALID, order: -1, data: bad.map(at), pointStyle: 'crossRot', pointRadius: bad.map(({ p }) => radius(p.crossbar) + 4), pointHoverRadius: bad.map(({ p }) => radius(p.crossbar) + 5), borderColor: paint.invalid, backgroundColor: paint.invalid, borderWidth: 2.5 });
  // The recommended design of a sweep (never an invalid one): a star over its marker.
  const rec = drawn.filter(({ p }) => p.sweep?.recommended && !invalid(p));
  if (rec.length)
    out.push({ type: 'scatter' as const, label: STAR, data: rec.map(at), pointStyle: 'star', pointRadius: rec.map(({ p }) => radius(p.crossbar) + 6), pointHoverRadius: rec.map(({ p }) => radius(p.crossbar) + 7), backgroundColor: 'rgba(0,0,0,0)', borderColor: paint.fg, borderWidth: 2 });
  const line = plot.front.map((i) => at({ p: pts[i], i })).sort((a, b) => a.x - b.x);
  out.unshift({ type: 'line' as const, label: FRONT, data: line, borderColor: paint.fg, borderDash: [5, 4], borderWidth: 1.5, pointRadius: 0, pointHitRadius: 0, fill: false, stepped: false });
  return out;
}

/** Fills the canvas before drawing: exports are opaque. */
const paper = (colour: string): Plugin<'scatter'> => ({
  id: 'paper',
  beforeDraw: (c) => {
    const ctx = c.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.restore();
  },
});

function chartConfig(plot: Plot, paint: Paint, print: boolean): ChartConfiguration<'scatter', Datum[]> {
  const { x, y, key, shown, pts } = plot;
  const positive = (m: ParetoMetric) => shown.every(({ p }) => p.values[m]! > 0);
  const font = { size: paint.font };
  // A margin around the points: a marker at the extreme of an axis is drawn whole, not cut by the plot's edge.
  const pad = (m: ParetoMetric, log: boolean) => (s: { min: number; max: number }) => {
    if (!Number.isFinite(s.min) || !Number.isFinite(s.max)) return;
    if (log) [s.min, s.max] = [s.min / 1.15, s.max * 1.15];
    else {
      const d = 0.05 * (s.max - s.min || Math.abs(s.max) || 1);
      [s.min, s.max] = [positive(m) && s.min - d < 0 ? 0 : s.min - d, s.max + d];
    }
  };
  const axis = (m: ParetoMetric, log: boolean) => ({
    type: log && positive(m) ? ('logarithmic' as const) : ('linear' as const),
    afterDataLimits: pad(m, log && positive(m)),
    title: { display: true, text: `${label(m)} — ${view!.minimise[m] ? 'lower is better' : 'higher is better'}`, color: paint.fg, font },
    ticks: { color: paint.fg, font, callback: (v: number | string) => fmt(m, Number(v)) },
    grid: { color: paint.grid },
  });
  return {
    type: 'scatter',
    data: { datasets: datasets(plot, paint) as ChartDataset<'scatter', Datum[]>[] },
    // On screen, every redraw (resizes too) says again where the points are.
    plugins: print ? [paper(paint.bg)] : [{ id: 'placement', afterRender: (c) => recordPlacement(c as unknown as Chart) }],
    options: {
      animation: false,
      responsive: !print,
      maintainAspectRatio: false,
      ...(print ? { devicePixelRatio: 2 } : {}),
      plugins: {
        title: { display: print, text: plot.title, color: paint.fg, font: { size: paint.font + 2, weight: 'bold' } },
        legend: {
          onClick: () => undefined,
          labels: {
            color: paint.fg,
            font,
            usePointStyle: true,
            // Full mode colours (the datasets' first points may be dimmed), the front as a dashed line.
            generateLabels: (c) =>
              c.data.datasets.map((d, i) => {
                const name = d.label ?? '';
                const line = name === FRONT || name === BARS;
                const colour = name === INVALID ? paint.invalid : OVERLAYS.has(name) ? paint.fg : paint.mode(name);
                const style = line ? 'line' : name === STAR ? 'star' : name === INVALID ? 'crossRot' : 'circle';
                return { text: name, datasetIndex: i, fontColor: paint.fg, fillStyle: colour, strokeStyle: name === INVALID ? paint.invalid : paint.fg, lineWidth: name === INVALID ? 2 : 1, lineDash: name === FRONT ? [5, 4] : [], pointStyle: style, hidden: false };
              }),
          },
        },
        tooltip: {
          enabled: !print,
          backgroundColor: paint.tip.bg,
          titleColor: paint.tip.fg,
          bodyColor: paint.tip.fg,
          // Chart.js's default footer colour is white: unreadable on a light theme's hover.
          footerColor: paint.tip.fg,
          borderColor: paint.tip.border,
          borderWidth: 1,
          filter: (item) => !OVERLAYS.has(item.dataset.label ?? ''),
          // The tooltip's text is mirrored into a live region, for screen readers.
          external: ({ tooltip }) => {
            const live = document.getElementById('pareto-hover');
            if (live) live.textContent = tooltip.opacity === 0 ? '' : [...(tooltip.title ?? []), ...tooltip.body.flatMap((b) => b.lines), ...(tooltip.footer ?? [])].join('\n');
          },
          callbacks: {
            title: (items) => (items[0] ? pts[(items[0].raw as Datum).i].name : ''),
            label: (item) => tooltipLines(pts[(item.raw as Datum).i]),
            footer: (items) => {
              const p = items[0] && pts[(items[0].raw as Datum).i];
              return p ? `${invalid(p) ? 'invalid · ' : ''}${p.dominated[key] ? 'dominated' : 'on the front'} · click to open its mapping` : '';
            },
          },
        },
      },
      onClick: (_e, elements) => {
        const hit = elements.find((h) => !OVERLAYS.has(chart!.data.datasets[h.datasetIndex].label ?? ''));
        if (!hit) return;
        const d = chart!.data.datasets[hit.datasetIndex].data[hit.index] as unknown as Datum;
        vscode.postMessage({ type: 'openMapping', key: pts[d.i].key });
      },
      scales: { x: axis(x, state.logX ?? false), y: axis(y, state.logY ?? false) },
    },
  };
}

/** The chart again, off screen at a fixed print size and 2× pixels, on white with the print palette. */
function exportPng(plot: Plot): void {
  const canvas = el('canvas', { width: '1200', height: '800' });
  const box = el('div', { class: 'offscreen', 'aria-hidden': 'true' }, canvas);
  document.body.append(box);
  const c = new Chart(canvas, chartConfig(plot, PRINT, true));
  const dataUrl = c.toBase64Image('image/png');
  c.destroy();
  box.remove();
  vscode.postMessage({ type: 'exportPng', dataUrl });
}

function render(): void {
  const t0 = performance.now();
  chart?.destroy();
  chart = undefined;
  root.replaceChildren();
  const x = state.x ?? 'area';
  const y = state.y === x ? (METRICS.find((m) => m.value !== x)!.value) : (state.y ?? 'energy');
  const opts = METRICS.map((m) => ({ value: m.value, label: m.label }));
  plot = undefined;
  const bar = el(
    'div',
    { class: 'toolbar' },
    select('x-axis', 'x', opts, x, (v) => ((state.x = v as ParetoMetric), save(), render())),
    select('y-axis', 'y', opts, y, (v) => ((state.y = v as ParetoMetric), save(), render())),
    checkbox('log-x', 'log x', state.logX ?? false, (b) => ((state.logX = b), save(), render())),
    checkbox('log-y', 'log y', state.logY ?? false, (b) => ((state.logY = b), save(), render())),
    checkbox('hide-dominated', 'hide dominated', state.hideDominated ?? false, (b) => ((state.hideDominated = b), save(), render())),
    button('Export PNG', () => plot && exportPng(plot), true),
    button('Export CSV', () => vscode.postMessage({ type: 'exportCsv', x, y }), true),
  );
  const sw = view?.sweep;
  root.append(el('div', { class: 'head' }, el('h2', {}, sw ? `Sweep ${sw.name}` : 'Design points')), bar);
  if (!view) {
    root.append(el('p', { class: 'empty' }, 'Loading…'));
    return;
  }
  const pts = view.points;
  const bad = pts.filter(invalid).length;
  if (sw) {
    const rec = pts.find((p) => p.sweep?.recommended && !invalid(p));
    const parts = [`${sw.done} of ${sw.planned} points done${sw.failed ? ` (${sw.failed} failed)` : ''}`];
    if (rec) parts.push(`★ recommended: ${rec.name} (lowest area × energy within ${pct(sw.accuracyLossLimit)} accuracy loss)`);
    else if (sw.noRecommendation) parts.push(`no recommendation: ${sw.noRecommendation}`);
    if (bad) parts.push(`⚠ ${bad} invalid (crossbar beyond its preset's largest reliable one), never recommended`);
    if (sw.damaged?.length) parts.push(`⚠ left out: ${sw.damaged.join(' · ')}`);
    root.append(el('p', { class: 'note', id: 'sweep-summary', ...(rec ? { 'data-recommended': rec.sweep!.id } : {}) }, parts.join(' · ')));
  }
  const key = `${x}|${y}`;
  const shown = pts.map((p, i) => ({ p, i })).filter(({ p }) => p.values[x] !== undefined && p.values[y] !== undefined);
  const front = view.fronts[key] ?? [];
  if (shown.length === 0) {
    const none = sw ? 'No priced points yet: points appear as the sweep\'s trainings finish.' : 'No completed runs yet: run, compare or sweep a config; points appear as runs finish.';
    root.append(el('p', { class: 'empty', id: 'no-points' }, pts.length ? `No point has both ${label(x)} and ${label(y)} (area and energy come from the end-of-run evaluation).` : none));
    return;
  }
  const noun = sw ? 'points' : pts.some((p) => p.sweep) ? 'points' : 'runs';
  plot = { x, y, key, pts, shown, front, noun, title: `${sw ? `Sweep ${sw.name}` : 'Design points'}: ${label(y)} against ${label(x)}` };
  const canvas = el('canvas', { id: 'pareto', role: 'img', 'aria-label': `${label(y)} against ${label(x)}: ${shown.length} ${noun}, ${front.length} on the front${bad ? `, ${bad} invalid` : ''}` });
  root.append(el('div', { class: 'chart big' }, canvas));
  chart = new Chart(canvas, chartConfig(plot, screenPaint(), false));
  // The front as a table too: for screen readers, and what the tests read.
  const table = el('table', { id: 'front' }, el('caption', {}, `Non-dominated ${noun}`));
  for (const i of front)
    table.append(
      el(
        'tr',
        { 'data-key': pts[i].key, 'data-i': String(i), ...(pts[i].sweep ? { 'data-point': pts[i].sweep!.id, 'data-recommended': String(pts[i].sweep!.recommended && !invalid(pts[i])) } : {}), ...(invalid(pts[i]) ? { 'data-invalid': 'true' } : {}) },
        el('td', {}, pts[i].name),
        el('td', {}, pts[i].mode),
        el('td', {}, fmt(x, pts[i].values[x])),
        el('td', {}, fmt(y, pts[i].values[y])),
        el('td', {}, invalid(pts[i]) ? `invalid: ${pts[i].warnings!.join('; ')}` : ''),
      ),
    );
  const c = chart;
  // Where each front point is drawn (CSS pixels in the canvas), for keyboard and test tools.
  for (const row of table.querySelectorAll('tr')) {
    const p = pts[Number(row.dataset.i)];
    row.dataset.px = String(c.scales.x.getPixelForValue(p.values[x]!));
    row.dataset.py = String(c.scales.y.getPixelForValue(p.values[y]!));
  }
  const recShown = shown.some(({ p }) => p.sweep?.recommended && !invalid(p));
  const legendNote = `Filled: non-dominated; faint: dominated. Marker size: crossbar size.${recShown ? ' Star: the recommended design.' : ''}${bad ? ' Red ×: invalid, priced beyond its preset\'s largest reliable crossbar (never recommended).' : ''}`;
  // Hidden in a box: a table grows to its content whatever its own width says (it made narrow panels scroll sideways).
  root.append(el('div', { class: 'sr' }, table), el('div', { class: 'sr', id: 'pareto-hover', 'aria-live': 'polite' }), el('p', { class: 'note' }, `${shown.length} ${noun}, ${front.length} on the front (dashed). ${legendNote} Area and energy are model estimates.`));
  if (sw && pts.some((p) => p.sweep)) root.append(pointsTable(pts, sw.objectives));
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
