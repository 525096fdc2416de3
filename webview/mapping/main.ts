/**
 * Crossbar mapping panel (browser code): per layer the connectivity as a
 * heatmap (ImageData on a canvas, zoom and pan by redrawing one bitmap),
 * clusters as coloured blocks, the chosen scheme's crossbars outlined with
 * their utilisation, unclustered synapses highlighted, hover details, a
 * layer picker, a run toggle across the comparison, and an epoch slider over
 * the run's connectivity snapshots. Renders only what the host sends.
 */
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { checkHostToMapping } from '../shared/guards';
import { announceReady, onHostMessage, vscodeApi } from '../shared/vscode';
import { button, checkbox, el, num, pct, select } from '../shared/dom';
import { blend, isHighContrast, luminance, manyColour, onThemeChange, parseColour, rgbaCss, themeVar, type Rgba } from '../shared/theme';
import { cellInfo, coverage, layerModel, orderOf, outlines, paint, type LayerModel, type Order, type Outline, type Palette } from './heatmap';

import type { HostToMapping, MappingToHost, MappingView } from '../../src/protocol/webview';

interface State {
  key?: string;
  scheme?: string;
  epoch?: number;
  layer?: number;
  order?: 'original' | 'cluster';
  tiles?: boolean;
  unclustered?: boolean;
}

const vscode = vscodeApi<MappingToHost, State>();
const state: State = { order: 'cluster', tiles: true, unclustered: true, layer: 0, ...vscode.getState() };
const save = () => vscode.setState({ ...state });

const root = document.getElementById('root')!;
let view: MappingView | undefined;
let models: (LayerModel | undefined)[] = [];

// ---- the canvas viewport ----------------------------------------------------
const canvas = el('canvas', { id: 'heatmap', role: 'img', tabindex: '0' });
const stage = el('div', { class: 'stage' }, canvas);
const hover = el('div', { class: 'hover', id: 'hover', 'aria-live': 'polite' });
const bitmap = document.createElement('canvas');
let layer: LayerModel | undefined;
let order: Order | undefined;
let boxes: Outline[] = [];
let palette: Palette;
let outlineColour = '';
let hotColour = '';
/** The crossbar under the pointer (-1: none). */
let hovered = -1;
let labelColour = '';
/** Pixels per cell and the offset of cell (0,0), in CSS pixels. */
let scale = 1;
let ox = 0;
let oy = 0;
let fitted = false;
/** The user zoomed or panned: a resize keeps their view instead of fitting the layer again. */
let userView = false;

/** One colour per cluster (as many as the largest layer has), distinct and legible on the theme's background. */
function readPalette(clusters = 1): void {
  const background = parseColour(themeVar('--vscode-editor-background', '#1e1e1e'), [30, 30, 30, 255]);
  background[3] = 255;
  const fg = parseColour(themeVar('--vscode-foreground', '#cccccc'));
  const hc = isHighContrast();
  const dark = luminance(background) < 0.4;
  const cluster: Rgba[] = Array.from({ length: Math.max(1, clusters) }, (_, k) => manyColour(k, dark, hc));
  palette = {
    background,
    synapse: blend(fg, background, hc ? 1 : 0.75),
    unclustered: blend(parseColour(themeVar('--vscode-charts-red', '#f14c4c')), background, 1),
    cluster,
    clusterTint: cluster.map((c) => blend(c, background, hc ? 0.35 : 0.2)),
  };
  outlineColour = themeVar('--vscode-focusBorder', '#0078d4');
  hotColour = themeVar('--vscode-editorWarning-foreground', themeVar('--vscode-charts-yellow', '#cca700'));
  labelColour = themeVar('--vscode-editor-foreground', rgbaCss(fg));
}

/** Paint the current layer into the bitmap (once per layer, order, palette or option change). */
function rebuild(): void {
  const t0 = performance.now();
  if (!layer) return;
  order = orderOf(layer, state.order ?? 'cluster');
  bitmap.width = layer.cols;
  bitmap.height = layer.rows;
  const ctx = bitmap.getContext('2d')!;
  const img = ctx.createImageData(layer.cols, layer.rows);
  paint(layer, order, palette, state.unclustered ?? true, img);
  ctx.putImageData(img, 0, 0);
  boxes = view?.layers.length ? outlines(layer, order, view.crossbarSize) : [];
  draw();
  canvas.dataset.renderMs = (performance.now() - t0).toFixed(2);
}

function fit(): void {
  if (!layer) return;
  const w = stage.clientWidth || 600;
  const h = stage.clientHeight || 400;
  scale = Math.min(w / layer.cols, h / layer.rows);
  ox = (w - layer.cols * scale) / 2;
  oy = (h - layer.rows * scale) / 2;
  fitted = true;
  userView = false;
}

let frame = 0;
/** The stage changed size since the last frame. */
let resized = false;
function requestDraw(): void {
  if (!frame)
    frame = requestAnimationFrame(() => {
      frame = 0;
      if (resized) {
        resized = false;
        sizeStage();
        if (!userView) fitted = false;
      }
      draw();
    });
}

function draw(): void {
  if (!layer) return;
  const dpr = window.devicePixelRatio || 1;
  const w = stage.clientWidth || 600;
  const h = stage.clientHeight || 400;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
  }
  if (!fitted) fit();
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bitmap, ox, oy, layer.cols * scale, layer.rows * scale);
  // Where cell (0,0) is and how large a cell is, in CSS pixels (for tools reading the picture).
  canvas.dataset.scale = String(scale);
  canvas.dataset.ox = String(ox);
  canvas.dataset.oy = String(oy);
  if (!state.tiles) return;
  ctx.lineWidth = 1;
  ctx.strokeStyle = outlineColour;
  ctx.fillStyle = labelColour;
  ctx.font = `${Math.max(10, Math.min(14, scale * 4))}px ${themeVar('--vscode-font-family', 'sans-serif')}`;
  const visible = (x: number, y: number, bw: number, bh: number) => !(ox + x * scale > w || oy + y * scale > h || ox + (x + bw) * scale < 0 || oy + (y + bh) * scale < 0);
  const stroke = (x: number, y: number, bw: number, bh: number) =>
    ctx.strokeRect(Math.round(ox + x * scale) + 0.5, Math.round(oy + y * scale) + 0.5, Math.max(1, Math.round(bw * scale) - 1), Math.max(1, Math.round(bh * scale) - 1));
  for (const b of boxes) {
    // Pieces a crossbar borrowed from elsewhere in this order are outlined only when it is hovered.
    for (const [x, y, bw, bh] of b.major) if (visible(x, y, bw, bh)) stroke(x, y, bw, bh);
    // Utilisation written in its largest piece once that is large enough on screen.
    const first = b.major[0];
    if (first && first[2] * scale >= 44 && first[3] * scale >= 18) {
      // On a chip of the editor background, readable over any cluster colour.
      const text = pct(b.utilisation, 0);
      const tx = ox + first[0] * scale + 3;
      const ty = oy + first[1] * scale + 3;
      ctx.fillStyle = rgbaCss(palette.background, 0.85);
      ctx.fillRect(tx, ty, ctx.measureText(text).width + 4, 15);
      ctx.fillStyle = labelColour;
      ctx.fillText(text, tx + 2, ty + 11);
    }
  }
  const hot = boxes[hovered];
  if (hot) {
    ctx.lineWidth = 2;
    ctx.strokeStyle = hotColour;
    for (const [x, y, bw, bh] of hot.rects) if (visible(x, y, bw, bh)) stroke(x, y, bw, bh);
  }
  ctx.setLineDash([]);
}

function cellAt(ev: MouseEvent): { x: number; y: number } | undefined {
  if (!layer) return undefined;
  const r = canvas.getBoundingClientRect();
  const x = Math.floor((ev.clientX - r.left - ox) / scale);
  const y = Math.floor((ev.clientY - r.top - oy) / scale);
  return x >= 0 && y >= 0 && x < layer.cols && y < layer.rows ? { x, y } : undefined;
}

function describeCell(x: number, y: number): string {
  if (!layer || !order || !view) return '';
  const i = cellInfo(layer, order, x, y);
  const parts = [`output ${i.output} · input ${i.input}`, i.synapse ? 'synapse' : 'no synapse'];
  if (i.cluster >= 0) {
    const c = layer.view.clusters[i.cluster];
    parts.push(`cluster ${i.cluster + 1} (${c.outputs.length}×${c.inputs.length}, quality ${num(c.quality)})`);
  } else if (i.synapse) parts.push('unclustered');
  if (i.crossbar >= 0) {
    const xb = layer.view.crossbars![i.crossbar];
    parts.push(`crossbar ${i.crossbar + 1} (${xb.kind}, ${xb.rows.length}×${xb.cols.length}, ${xb.synapses} synapses, utilisation ${pct(xb.synapses / (view.crossbarSize * view.crossbarSize), 1)})`);
  } else if (layer.view.crossbars) parts.push('on no crossbar');
  return parts.join(' · ');
}

let drag: { x: number; y: number; ox: number; oy: number } | undefined;
canvas.addEventListener('mousemove', (ev) => {
  if (drag) {
    ox = drag.ox + ev.clientX - drag.x;
    oy = drag.oy + ev.clientY - drag.y;
    userView = true;
    requestDraw();
    return;
  }
  const c = cellAt(ev);
  hover.textContent = c ? describeCell(c.x, c.y) : '';
  const k = c && layer && order ? cellInfo(layer, order, c.x, c.y).crossbar : -1;
  if (k !== hovered) {
    hovered = k;
    requestDraw();
  }
});
canvas.addEventListener('mouseleave', () => {
  hover.textContent = '';
  hovered = -1;
  requestDraw();
});
canvas.addEventListener('mousedown', (ev) => (drag = { x: ev.clientX, y: ev.clientY, ox, oy }));
window.addEventListener('mouseup', () => (drag = undefined));
canvas.addEventListener(
  'wheel',
  (ev) => {
    ev.preventDefault();
    const r = canvas.getBoundingClientRect();
    zoomAt(ev.clientX - r.left, ev.clientY - r.top, Math.exp(-ev.deltaY * 0.0015));
  },
  { passive: false },
);
canvas.addEventListener('keydown', (ev) => {
  const step = 40;
  if (ev.key === '+' || ev.key === '=') zoomAt(stage.clientWidth / 2, stage.clientHeight / 2, 1.25);
  else if (ev.key === '-') zoomAt(stage.clientWidth / 2, stage.clientHeight / 2, 0.8);
  else if (ev.key === 'ArrowLeft') ox += step;
  else if (ev.key === 'ArrowRight') ox -= step;
  else if (ev.key === 'ArrowUp') oy += step;
  else if (ev.key === 'ArrowDown') oy -= step;
  else if (ev.key === '0') fit();
  else return;
  if (ev.key.startsWith('Arrow')) userView = true;
  ev.preventDefault();
  requestDraw();
});

function zoomAt(px: number, py: number, factor: number): void {
  if (!layer) return;
  const next = Math.min(64, Math.max(0.05, scale * factor));
  ox = px - ((px - ox) * next) / scale;
  oy = py - ((py - oy) * next) / scale;
  scale = next;
  userView = true;
  requestDraw();
}

// A narrower or wider panel: the stage takes the new width and, unless the user zoomed or panned, the layer is fitted again (next frame: not inside the observer).
new ResizeObserver(() => {
  resized = true;
  requestDraw();
}).observe(stage);

/** The stage takes the layer's aspect (a wide layer gets a short stage), between 220 px and 72% of the window. */
function sizeStage(): void {
  if (!layer) return;
  const w = stage.clientWidth || 600;
  const h = Math.round(Math.max(220, Math.min(window.innerHeight * 0.72, (w * layer.rows) / layer.cols)));
  if (stage.style.height !== `${h}px`) {
    stage.style.height = `${h}px`;
    if (!userView) fitted = false;
  }
}
window.addEventListener('resize', () => {
  resized = true;
  requestDraw();
});

// ---- the rest of the panel ----------------------------------------------------
function send(m: MappingToHost): void {
  vscode.postMessage(m);
}

function legend(l: LayerModel): HTMLElement {
  const list = el('ol', { class: 'clusters', id: 'cluster-list' });
  l.view.clusters.slice(0, 60).forEach((c, k) => {
    const sw = el('span', { class: 'swatch' });
    sw.style.background = rgbaCss(palette.cluster[k % palette.cluster.length]);
    list.append(el('li', {}, sw, `${c.outputs.length}×${c.inputs.length} · quality ${num(c.quality)}`));
  });
  if (l.view.clusters.length > 60) list.append(el('li', {}, `… ${l.view.clusters.length - 60} more`));
  return list;
}

const covered = new WeakMap<LayerModel, ReturnType<typeof coverage>>();

function summary(l: LayerModel): HTMLElement {
  const v = view!;
  const cells = l.rows * l.cols;
  const xbars = l.view.crossbars;
  // Blocks may overlap (filled and refilled crossbars): a synapse in two blocks counts once. Once per layer, not per repaint.
  const cover = covered.get(l) ?? covered.set(l, coverage(l)).get(l)!;
  const util = xbars && xbars.length ? xbars.reduce((a, x) => a + x.synapses, 0) / (xbars.length * v.crossbarSize * v.crossbarSize) : undefined;
  const items = [
    `${l.rows} outputs × ${l.cols} inputs`,
    `${l.view.synapses} synapses (${pct(l.view.synapses / cells, 1)} of the layer)`,
    `${l.view.clusters.length} clusters holding ${pct(l.view.synapses ? cover.synapses / l.view.synapses : 0, 1)} of them`,
    ...(cover.sharedCells ? [`${cover.sharedCells} cells (${cover.sharedSynapses} synapses) lie in two or more clusters' blocks, counted once`] : []),
    xbars ? `${xbars.length} crossbars ${v.crossbarSize}×${v.crossbarSize}, utilisation ${pct(util, 1)}` : 'no crossbar placements for this view',
  ];
  const scattered = boxes.filter((b) => b.scattered).length;
  if (xbars && scattered) items.push(`${scattered} crossbars also hold rows or columns from elsewhere in this order: hover a synapse to outline all of its crossbar`);
  return el('ul', { class: 'summary', id: 'summary' }, ...items.map((t) => el('li', {}, t)));
}

function render(): void {
  const v = view;
  root.replaceChildren();
  if (!v) {
    root.append(el('p', { class: 'empty' }, 'Open the mapping of a run from the Runs view.'));
    return;
  }
  const li = Math.min(state.layer ?? 0, v.layers.length - 1);
  state.layer = li;
  models[li] ??= layerModel(v.layers[li]);
  layer = models[li];
  const head = el('div', { class: 'head' }, el('h2', {}, `${v.name}`), el('vscode-badge' as 'span', {}, v.mode), el('span', { class: 'muted' }, `${v.status} · ${v.crossbarSize}×${v.crossbarSize}`));
  const bar = el('div', { class: 'toolbar' });
  if (v.siblings.length > 1)
    bar.append(select('run', 'Run', v.siblings.map((s) => ({ value: s.key, label: s.mode })), v.key, (k) => send({ type: 'select', key: k })));
  bar.append(
    select('layer', 'Layer', v.layers.map((l, i) => ({ value: String(i), label: `${i + 1}: ${l.cols}→${l.rows}` })), String(li), (s) => {
      state.layer = Number(s);
      save();
      fitted = false;
      render();
    }),
    select('order', 'Order', [{ value: 'cluster', label: 'cluster order' }, { value: 'original', label: 'original order' }], state.order ?? 'cluster', (s) => {
      state.order = s === 'original' ? 'original' : 'cluster';
      save();
      render();
    }),
  );
  if (v.schemes.length && v.epoch === undefined)
    bar.append(select('scheme', 'Crossbars', v.schemes.map((s) => ({ value: s, label: s })), v.scheme ?? v.schemes[0], (s) => send({ type: 'select', key: v.key, scheme: s })));
  bar.append(
    checkbox('tiles', 'crossbars', state.tiles ?? true, (b) => {
      state.tiles = b;
      save();
      draw();
    }),
    checkbox('unclustered', 'highlight unclustered', state.unclustered ?? true, (b) => {
      state.unclustered = b;
      save();
      rebuild();
    }),
    button('Fit', () => (fit(), draw()), true),
  );
  const controls = [head, bar];
  if (v.snapshots.length) {
    const stops = [...v.snapshots.map((s) => s.epoch), -1];
    const at = v.epoch === undefined ? stops.length - 1 : Math.max(0, stops.indexOf(v.epoch));
    const slider = el('input', { type: 'range', id: 'epoch', min: '0', max: String(stops.length - 1), step: '1', value: String(at), 'aria-label': 'Snapshot' });
    const label = el('span', { class: 'muted', id: 'epoch-label' });
    const say = (i: number) => {
      const s = v.snapshots[i];
      label.textContent = s ? `epoch ${s.epoch} (${s.reasons.join(', ')})` : 'final network';
    };
    say(at);
    slider.addEventListener('input', () => say(Number(slider.value)));
    slider.addEventListener('change', () => {
      const e = stops[Number(slider.value)];
      send({ type: 'select', key: v.key, ...(e >= 0 ? { epoch: e } : { scheme: state.scheme }) });
    });
    controls.push(el('div', { class: 'slider' }, el('span', {}, 'Snapshot'), slider, label));
  }
  canvas.setAttribute('aria-label', `Layer ${li + 1} connectivity, ${layer.rows} outputs by ${layer.cols} inputs, ${state.order} order`);
  order = orderOf(layer, state.order ?? 'cluster');
  boxes = outlines(layer, order, v.crossbarSize);
  const side = el('aside', { class: 'side' }, summary(layer), el('h3', {}, 'Clusters'), layer.view.clusters.length ? legend(layer) : el('p', { class: 'muted' }, 'No clusters in this layer.'));
  const notes = v.notes.map((n) => el('p', { class: 'note' }, n));
  const help = el('p', { class: 'muted help' }, 'Wheel: zoom · drag: pan · 0: fit. Rows are output neurons, columns input neurons.');
  // The hover readout sits above the heatmap: in view while the pointer is on it, whatever the panel's width.
  root.append(...controls, hover, el('div', { class: 'main' }, stage, side), help, ...notes);
  sizeStage();
  rebuild();
}

onHostMessage(checkHostToMapping, show);

function show(m: HostToMapping): void {
  if (m.type === 'error') {
    root.replaceChildren(el('p', { class: 'error', id: 'error' }, m.message));
    return;
  }
  // Toggling between runs of a comparison keeps the zoom: same layer shapes.
  const sameShape = view && view.layers.length === m.view.layers.length && view.layers.every((l, i) => l.rows === m.view.layers[i].rows && l.cols === m.view.layers[i].cols);
  view = m.view;
  models = [];
  if (!sameShape) fitted = false;
  readPalette(clusterCount());
  state.key = m.view.key;
  state.scheme = m.view.scheme;
  state.epoch = m.view.epoch;
  save();
  render();
}

/** Clusters of the largest layer: how many colours the palette needs. */
const clusterCount = () => Math.max(1, ...(view?.layers.map((l) => l.clusters.length) ?? []));

readPalette();
onThemeChange(() => {
  readPalette(clusterCount());
  if (view) render();
});
render();
announceReady(() => send({ type: 'ready' }));
