/**
 * `trannsformer report`: one self-contained HTML file for a run or a
 * comparison — tables, the per-layer mapping summary, and charts drawn as
 * inline SVG (no scripts, no network), so it opens anywhere.
 *
 * Every value comes from files anyone can edit, so markup is built only
 * with the `html` tag: each interpolated value is escaped unless it is
 * markup the tag made itself; numbers go through formatters that print
 * "—" for anything that is not a finite number; arrays and objects a record
 * should hold are taken only when they are arrays and objects.
 */
import * as path from 'node:path';

import { FILES, readCompare, readEvaluation, readMetrics, readRun, writeReportFile } from '../store/runFolder';
import { memberRunDir } from '../store/compareRuns';

import { UserError } from '../core/errors';
import { reductionText } from '../core/reduction';

import type { Evaluation } from '../format/evaluation';
import type { RunResult } from '../format/run';
import type { EpochMetrics } from '../format/metrics';

/** Markup made by the `html` tag (or by a chart of this module): inserted as is. */
class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Escape text for an element's content or a quoted attribute value. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!);
}

type Part = Html | string | number | undefined | null | false | readonly Part[];

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(v);
}

/** The one way markup is built here: every value is escaped unless it is Html already. */
function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** An array from a record, or none (a damaged field is not iterated as a string). */
const arr = <T>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
/** A plain object from a record, or an empty one. */
const obj = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
/** A string from a record, or "—" (numbers are printed too; objects are not). */
const str = (x: unknown): string => (typeof x === 'string' ? x : isNum(x) ? String(x) : '—');

// Number formatters: only finite numbers are printed; anything else reads "—".
const pct = (x: unknown, d = 2) => (isNum(x) ? `${(100 * x).toFixed(d)}%` : '—');
const num = (x: unknown) => (!isNum(x) ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));
const int = (x: unknown) => (isNum(x) ? String(Math.round(x)) : '—');
const size = (x: unknown) => (isNum(x) ? `${int(x)}×${int(x)}` : '—');
/** Finite numbers of a record's array; anything else becomes NaN (not drawn). */
const nums = (x: unknown): number[] => arr<unknown>(x).map((v) => (isNum(v) ? v : Number.NaN));

/** Hardware accuracy over chips ({mean, std?, min, max}, fractions) as "97.10 ± 0.20% (96.90–97.30%)"; "—" without a mean. */
function chipAccuracy(x: unknown): string {
  const h = obj(x);
  if (!isNum(h.mean)) return '—';
  const p2 = (v: number) => (100 * v).toFixed(2);
  const range = isNum(h.min) && isNum(h.max) ? ` (${p2(h.min)}–${p2(h.max)}%)` : '';
  return `${p2(h.mean)}${isNum(h.std) ? ` ± ${p2(h.std)}` : ''}%${range}`;
}

/** A run record's hardware accuracy (result.json `hardware.hardwareAccuracy`), or undefined when it has none. */
function runChipAccuracy(r: RunResult | undefined): Record<string, unknown> | undefined {
  const h = obj(obj(r?.hardware).hardwareAccuracy);
  return isNum(h.mean) ? h : undefined;
}

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1'];
/** The same series keeps its colour in every chart of a report. */
const MODE_COLOURS: Record<string, string> = { original: COLORS[0], pruning: COLORS[1], trannsformer: COLORS[2], offline: COLORS[3] };
const colourOf = (name: string, k: number) => (Object.hasOwn(MODE_COLOURS, name) ? MODE_COLOURS[name] : COLORS[k % COLORS.length]);

function table(head: string[], rows: Part[][]): Html {
  return html`<table><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => html`<tr>${r.map((c, i) => (i ? html`<td class="n">${c}</td>` : html`<td>${c}</td>`))}</tr>`,
  )}</tbody></table>`;
}

/**
 * A line chart of several series. x is 1…n (epochs) unless `x` gives the
 * positions (e.g. SNN timesteps), labelled with `xLabel` (default "epoch ").
 * A flat series gets a small band around its value (percentages stay within
 * 0…100%); with few points each is marked, so one epoch is visible.
 */
export function lineChart(title: string, series: { name: string; values: number[] }[], opts: ChartOptions = {}): string {
  return chart(title, series, opts).text;
}

interface ChartOptions {
  percent?: boolean;
  x?: number[];
  xLabel?: string;
  /** x on a log scale (positive positions only): SNN timesteps 10, 20, 50, … 500 spread evenly instead of crowding the left. */
  logX?: boolean;
}

/** Tick label font: 11px (CSS `.a`); a generous average glyph width, so an estimated box is never narrower than the drawn one. */
const LABEL_CHAR_PX = 0.62 * 11;
const LABEL_GAP_PX = 6;

export interface TickLabel {
  x: number;
  anchor: 'start' | 'middle' | 'end';
  text: string;
}

/** The horizontal extent of a tick label as drawn (estimated from its length). */
export function labelBox(l: TickLabel): { left: number; right: number } {
  const w = l.text.length * LABEL_CHAR_PX;
  const left = l.anchor === 'start' ? l.x : l.anchor === 'end' ? l.x - w : l.x - w / 2;
  return { left, right: left + w };
}

/** The labels (in x order) that can be drawn without touching: taken from the left; the last displaces those it would touch (never the first). */
export function legibleLabels(labels: readonly TickLabel[]): TickLabel[] {
  const kept: TickLabel[] = [];
  const fits = (a: TickLabel, b: TickLabel) => labelBox(a).right + LABEL_GAP_PX <= labelBox(b).left;
  labels.forEach((l, i) => {
    if (i === labels.length - 1) while (kept.length > 1 && !fits(kept[kept.length - 1], l)) kept.pop();
    if (kept.length === 0 || fits(kept[kept.length - 1], l)) kept.push(l);
  });
  return kept;
}

function chart(title: string, series: { name: string; values: number[] }[], opts: ChartOptions = {}): Html {
  const W = 560;
  const H = 220;
  const m = { l: 48, r: 12, t: 24, b: 28 };
  const data = series.map((s) => ({ name: str(s.name), values: nums(s.values) }));
  const all = data.flatMap((s) => s.values).filter(Number.isFinite);
  if (all.length === 0) return html``;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi - lo < 1e-9) {
    const pad = opts.percent ? 0.01 : Math.max(Math.abs(lo) * 0.05, 1e-6);
    [lo, hi] = [lo - pad, hi + pad];
  }
  if (opts.percent) [lo, hi] = [Math.max(0, lo), Math.min(1, hi)];
  const n = Math.max(...data.map((s) => s.values.length));
  const given = opts.x ? nums(opts.x) : undefined;
  const xs = given && given.every(Number.isFinite) && given.length >= n ? given : Array.from({ length: n }, (_, i) => i + 1);
  const at = opts.logX && xs.every((v) => v > 0) ? Math.log10 : (v: number) => v;
  const x0 = xs[0] ?? 1;
  const x1 = xs[xs.length - 1] ?? 1;
  const X = (i: number) => m.l + (x1 === x0 ? (W - m.l - m.r) / 2 : ((at(xs[i]) - at(x0)) / (at(x1) - at(x0))) * (W - m.l - m.r));
  const Y = (v: number) => H - m.b - ((v - lo) / (hi - lo)) * (H - m.t - m.b);
  const fmt = (v: number) => (opts.percent ? `${(100 * v).toFixed(1)}%` : num(v));
  const ticks = [lo, (lo + hi) / 2, hi];
  const xl = opts.xLabel ?? 'epoch ';
  const lines = data.map((s, k) => {
    const c = colourOf(s.name, k);
    const pts = s.values.map((v, i) => [X(i), Y(v)] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const marks = pts.length <= 30 ? pts.map(([x, y]) => html`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${c}"/>`) : [];
    return html`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>${marks}`;
  });
  const legend = data.map((s, k) => html`${k ? '  ' : ''}<tspan fill="${colourOf(s.name, k)}">■ ${s.name}</tspan>`);
  const tickAt = xs.length > 2 && xs.length <= 12 ? xs.map((_, i) => i) : x1 === x0 ? [0] : [0, xs.length - 1];
  const xTicks = legibleLabels(
    tickAt.map((i): TickLabel => ({
      x: X(i),
      anchor: i === 0 && xs.length > 1 ? 'start' : i === xs.length - 1 && xs.length > 1 ? 'end' : 'middle',
      text: `${xl}${Number.isInteger(xs[i]) ? String(xs[i]) : num(xs[i])}`,
    })),
  ).map((l) => html`<text x="${l.x.toFixed(1)}" y="${H - 8}" text-anchor="${l.anchor}" class="a">${l.text}</text>`);
  return html`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${title}">
<text x="${m.l}" y="14" class="t">${title}</text><text x="${W - m.r}" y="14" text-anchor="end" class="l">${legend}</text>
${ticks.map((v) => html`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(v)}" y2="${Y(v)}" class="g"/><text x="${m.l - 4}" y="${Y(v) + 4}" text-anchor="end" class="a">${fmt(v)}</text>`)}
${xTicks}${lines}</svg>`;
}

/** Horizontal bars, optionally stacked (one segment per part). */
export function barChart(title: string, bars: { name: string; parts: number[] }[], partNames: string[], unit: string, integer = false): string {
  return bars_(title, bars, partNames, unit, integer).text;
}

function bars_(title: string, input: { name: string; parts: number[] }[], partNames: string[], unit: string, integer = false): Html {
  const show = (v: number) => (integer ? int(v) : num(v));
  const bars = input.map((b) => ({ name: str(b.name), parts: nums(b.parts).map((p) => (p > 0 ? p : 0)) }));
  const W = 560;
  const rowH = 26;
  const m = { l: 110, r: 70, t: 24 };
  const H = m.t + bars.length * rowH + 22;
  const max = Math.max(...bars.map((b) => b.parts.reduce((a, c) => a + c, 0)), 1e-30);
  const sx = (v: number) => (v / max) * (W - m.l - m.r);
  const rows = bars.map((b, i) => {
    let x = m.l;
    const y = m.t + i * rowH;
    const segs = b.parts.map((p, k) => {
      const w = sx(p);
      const r = html`<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0, w).toFixed(1)}" height="${rowH - 8}" fill="${COLORS[k % COLORS.length]}"><title>${partNames[k] ?? ''}: ${show(p)} ${unit}</title></rect>`;
      x += w;
      return r;
    });
    const total = b.parts.reduce((a, c) => a + c, 0);
    return html`<text x="${m.l - 6}" y="${y + 13}" text-anchor="end" class="a">${b.name}</text>${segs}<text x="${(x + 4).toFixed(1)}" y="${y + 13}" class="a">${show(total)} ${unit}</text>`;
  });
  const legend = partNames.length > 1 ? partNames.map((p, k) => html`${k ? '  ' : ''}<tspan fill="${COLORS[k % COLORS.length]}">■ ${p}</tspan>`) : [];
  return html`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${title}"><text x="${m.l}" y="14" class="t">${title}</text><text x="${W - 4}" y="14" text-anchor="end" class="l">${legend}</text>${rows}</svg>`;
}

// A report is a document of its own (opened in a browser, or in an editor panel whatever the theme):
// it carries its own light page, so its text and charts read the same on a dark or high-contrast editor.
const CSS = new Html(`:root{color-scheme:light}html{background:#fff}
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1f2328;background:#fff}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0 12px}th,td{padding:4px 10px;border-bottom:1px solid #eaeef2;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f6f8fa}.note{color:#57606a;font-size:13px}svg{margin:6px 12px 6px 0}.t{font-weight:600;font-size:13px}.a,.l{font-size:11px;fill:#57606a}.g{stroke:#eaeef2}
.charts{display:flex;flex-wrap:wrap}`);

function page(title: string, body: Html): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${title}</title><style>${CSS}</style></head><body><h1>${title}</h1>${body}
<p class="note">Generated by TraNNsformer Studio. mPE counts come from the mapping; area and energy are model estimates from the technology preset, not measured silicon.</p></body></html>\n`.text;
}

function mappingSection(r: RunResult): Html {
  if (!r.mapping) return html``;
  const m = obj(r.mapping);
  const schemes = Object.entries(obj(m.schemes)).map(([name, s]) => [name, obj(s)] as const);
  const layers = Math.max(0, arr(r.layers).length - 1);
  const layerHeads = Array.from({ length: layers }, (_, l) => `layer ${l + 1}`);
  const rows = schemes.map(([name, s]): Part[] => [
    name + (name === m.shown ? ' (shown)' : ''),
    ...arr<unknown>(s.perLayer).map(int),
    int(s.total),
    pct(s.utilisation, 1),
    arr<unknown>(s.taken).map(str).join(', '),
  ]);
  const clusters = arr<unknown>(m.clusters);
  return html`<h2>Crossbar mapping at ${size(m.crossbarSize)}</h2>${table(['scheme', ...layerHeads, 'total mPEs', 'utilisation', 'taken'], rows)}
${table(['', ...layerHeads], [
    ['synapses kept', ...arr<unknown>(m.keptFraction).map((k) => pct(k, 1))],
    ...(clusters.some((n) => isNum(n) && n > 0)
      ? [
          ['clusters', ...clusters.map(int)],
          ['kept synapses inside clusters', ...arr<unknown>(m.clusteredFraction).map((k) => pct(k, 1))],
        ]
      : []),
  ])}`;
}

function evaluationSection(e: Evaluation | undefined): Html {
  if (!e) return html``;
  const snn = obj(e.snn);
  // Accuracy on simulated chips, where this evaluation measured it at the row's preset and size.
  const chips = arr<unknown>(obj(e.hardwareAccuracy).results).map(obj);
  const chipsAt = (r: Record<string, unknown>) => obj(chips.find((h) => h.preset === r.preset && h.crossbarSize === r.crossbarSize)?.accuracy);
  const withChips = chips.length > 0;
  const rows = arr<unknown>(e.results).map((x): Part[] => {
    const r = obj(x);
    const area = obj(r.area);
    const energy = obj(r.energy);
    return [str(r.preset), size(r.crossbarSize), int(r.mpes), ...(withChips ? [chipAccuracy(chipsAt(r))] : []), num(area.total_mm2), num(energy.total_uJ), num(energy.crossbar_uJ), num(energy.neuron_uJ), num(energy.communication_uJ), num(r.adcEnergy_uJ), num(r.adcArea_mm2)];
  });
  const caveats = arr<unknown>(e.presets).flatMap((x) => {
    const p = obj(x);
    return arr<unknown>(p.caveats).map((c) => `${str(p.name)}: ${str(c)}`);
  });
  const warnings = [...arr<unknown>(e.results).flatMap((r) => arr<unknown>(obj(r).warnings)), ...arr<unknown>(e.notes)].map(str);
  const curve = arr<unknown>(snn.curve).map(obj);
  return html`<h2>Spiking implementation</h2><p>SNN ${pct(snn.accuracy)} vs ANN ${pct(snn.annAccuracy)} on ${int(snn.images)} test images, T = ${int(snn.timesteps)} (${str(snn.encoding)} inputs).</p>
<div class="charts">${chart('SNN accuracy vs timesteps T (log scale)', [{ name: 'SNN', values: nums(curve.map((c) => c.accuracy)) }], { percent: true, x: nums(curve.map((c) => c.timesteps)), xLabel: 'T = ', logX: true })}</div>
${withChips ? html`<p>Hardware accuracy on ${int(obj(e.hardwareAccuracy).chips)} simulated chips against ${pct(obj(e.hardwareAccuracy).softwareAccuracy)} in software (mean ± std over chips, min–max).</p>` : ''}
${table(['preset', 'crossbar', 'mPEs', ...(withChips ? ['hw acc (chips)'] : []), 'area mm²', 'energy µJ', 'crossbar µJ', 'neuron µJ', 'comm. µJ', 'ADC ANN µJ', 'ADC ANN mm²'], rows)}
${warnings.map((w) => html`<p class="note">${w}</p>`)}${caveats.length ? html`<details><summary class="note">Borrowed and estimated preset fields (${caveats.length})</summary><ul class="note">${caveats.map((c) => html`<li>${c}</li>`)}</ul></details>` : ''}`;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

function curves(runs: { name: string; metrics: EpochMetrics[] }[]): Html {
  const ms = runs.map((r) => ({ name: r.name, metrics: arr<unknown>(r.metrics).map(obj) }));
  const acc = chart('Test accuracy', ms.map((r) => ({ name: r.name, values: nums(r.metrics.map((m) => m.testAccuracy)) })), { percent: true });
  const kept = chart('Synapses kept (all layers, mean)', ms.map((r) => ({ name: r.name, values: r.metrics.map((m) => mean(nums(m.keptFraction))) })), { percent: true });
  const withMpes = ms.filter((r) => r.metrics.some((m) => m.transform));
  const mpes = withMpes.length ? chart('mPEs at the configured crossbar size', withMpes.map((r) => ({ name: r.name, values: nums(r.metrics.map((m) => obj(m.transform).mpes)) }))) : '';
  return html`<div class="charts">${acc}${kept}${mpes}</div>`;
}

/** Build a report; a record damaged in a way the renderer did not foresee is said to be damaged, never a stack trace. */
function guarded(dir: string, build: () => string): string {
  try {
    return build();
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(dir, `holds a damaged record; no report written (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The run's hardware accuracy with where it was measured: "97.10 ± 0.20% (96.90–97.30%) on 5 chips, resparc-45nm at 64×64"; "—" without one. */
function hwHeadline(r: RunResult): string {
  const h = runChipAccuracy(r);
  if (!h) return '—';
  const hw = obj(r.hardware);
  return `${chipAccuracy(h)} on ${int(h.chips)} chip${h.chips === 1 ? '' : 's'}, ${str(hw.preset)} at ${size(hw.crossbarSize)}`;
}

export function runReport(dir: string): string {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result) throw new UserError(dir, `is not a readable run folder${rec.problem ? ` (${rec.problem})` : ''}`);
  const r = rec.result;
  return guarded(dir, () => {
    const { metrics } = readMetrics(dir);
    const ds = r.dataset ? obj(r.dataset) : undefined;
    const backend = r.backend ? obj(r.backend) : undefined;
    const transform = obj(obj(rec.config).transform);
    const summary = table(['', ''], [
      ['status', str(r.status)],
      ['mode', transform.mode === undefined ? 'original' : str(transform.mode)],
      ['network', arr<unknown>(r.layers).map(int).join('-')],
      ['data', ds ? `${str(ds.name)}: ${int(ds.train)} train / ${int(ds.test)} test` : '—'],
      ['epochs', `${int(r.epochsCompleted)} of ${int(r.epochsPlanned)}`],
      ['test accuracy (ANN)', pct(obj(r.final).testAccuracy)],
      ['hardware accuracy (chips)', hwHeadline(r)],
      ['backend', backend ? `${str(backend.name)} (${str(backend.detail)})` : '—'],
      ['time', isNum(r.seconds) ? `${r.seconds.toFixed(0)} s` : '—'],
    ]);
    const name = str(r.name);
    return page(`TraNNsformer run: ${name}`, html`${summary}<h2>Training</h2>${curves([{ name, metrics }])}${mappingSection(r)}${evaluationSection(readEvaluation(dir))}`);
  });
}

export function compareReport(dir: string): string {
  const c = readCompare(dir);
  if (!c) throw new UserError(path.join(dir, FILES.compare), 'is missing or is not a comparison record');
  const file = path.join(dir, FILES.compare);
  // The runs are read only inside the comparison folder (a record naming another folder is refused).
  const rows = c.rows.map((x, i) => {
    const r = obj(x);
    return { r, mode: str(r.mode), runDir: memberRunDir(dir, file, i, r.runDir), hw: r.hardware ? obj(r.hardware) : undefined };
  });
  return guarded(dir, () => {
    // Several seeds: each run is named by mode and seed, Δ is against the original of the same seed, and the table over seeds comes first.
    const seedOf = (r: Record<string, unknown>) => (isNum(r.seed) ? r.seed : undefined);
    const several = new Set(rows.map(({ r }) => seedOf(r))).size > 1;
    const label = (r: Record<string, unknown>, mode: string) => (several ? `${mode} s${str(seedOf(r))}` : mode);
    // Hardware accuracy lives in each run's result.json (not in compare.json): a column only when some run has it.
    const chipsOf = new Map(rows.map(({ runDir }) => [runDir, runChipAccuracy(readRun(runDir).result)]));
    const anyChips = [...chipsOf.values()].some((h) => h !== undefined);
    const chipCell = (runDir: string): Part[] => (anyChips ? [chipAccuracy(chipsOf.get(runDir))] : []);
    const chipHead = anyChips ? ['hw acc (chips)'] : [];
    const main = table(
      ['mode', 'test acc', ...chipHead, 'Δ acc', 'mPEs', 'mapping', 'paper mapping', 'utilisation', 'vs original', 'vs pruning'],
      rows.map(({ r, mode, runDir }) => [
        label(r, mode),
        pct(r.testAccuracy),
        ...chipCell(runDir),
        ((orig) => (isNum(orig?.testAccuracy) && isNum(r.testAccuracy) ? `${(100 * (r.testAccuracy - orig.testAccuracy)).toFixed(2)} pt` : '—'))(
          rows.find((x) => x.mode === 'original' && seedOf(x.r) === seedOf(r))?.r,
        ),
        int(r.mpes),
        r.shown === undefined ? '—' : str(r.shown),
        int(r.paperMpes),
        pct(r.utilisation, 1),
        reductionText(r.reductionVsOriginal, 'mPEs'),
        reductionText(r.reductionVsPruning, 'mPEs'),
      ]),
    );
    const priced = rows.filter((x) => x.hw).map((x) => ({ ...x, hw: x.hw! }));
    const hw = priced.length
      ? html`<h2>Spiking implementation on ${str(priced[0].hw.preset)}</h2>${table(
          ['mode', 'ANN acc', 'SNN acc', ...chipHead, 'area mm²', 'energy µJ', 'area vs orig', 'energy vs orig', 'area vs pruning', 'energy vs pruning'],
          priced.map(({ r, mode, runDir, hw: h }) => [label(r, mode), pct(r.testAccuracy), pct(h.snnAccuracy), ...chipCell(runDir), num(h.area_mm2), num(h.energy_uJ), reductionText(h.areaVsOriginal, 'area', true), reductionText(h.energyVsOriginal, 'energy', true), reductionText(h.areaVsPruning, 'area', true), reductionText(h.energyVsPruning, 'energy', true)]),
        )}<div class="charts">${bars_('Area', priced.map(({ r, mode, hw: h }) => ({ name: label(r, mode), parts: nums([h.area_mm2]) })), ['area'], 'mm²')}${bars_(
          'Energy per classification',
          priced.map(({ r, mode, hw: h }) => ({ name: label(r, mode), parts: nums([h.crossbar_uJ, h.neuron_uJ, h.communication_uJ]) })),
          ['crossbar', 'neuron', 'communication'],
          'µJ',
        )}</div><p class="note">The paper reports, without accuracy loss: 28–55% less area and 49–67% less energy than the original; 28–49% less area and 15–29% less energy than pruning.</p>`
      : '';
    const runs = rows.map(({ r, mode, runDir }) => ({ name: label(r, mode), metrics: readMetrics(runDir).metrics }));
    const perRun = rows.map(({ r, mode, runDir }) => {
      const rec = readRun(runDir);
      return rec.result ? html`<h2>${label(r, mode)}</h2>${mappingSection(rec.result)}${evaluationSection(readEvaluation(runDir))}` : '';
    });
    const name = str(c.name);
    return page(
      `TraNNsformer comparison: ${name}`,
      html`<p>${int(c.epochs)} epochs, ${size(c.crossbarSize)} crossbars; original, pruning and TraNNsformer trained on the same data and seed${several ? html`, once per seed` : ''}.</p>${several ? seedSummary(c.summary) : ''}${several ? html`<h2>Runs</h2>` : ''}${main}<div class="charts">${bars_('mPEs', rows.map(({ r, mode }) => ({ name: label(r, mode), parts: [isNum(r.mpes) ? r.mpes : 0] })), ['mPEs'], 'mPEs', true)}</div>${hw}<h2>Training</h2>${curves(runs)}${perRun}`,
    );
  });
}

/**
 * The table over seeds of a comparison record: per mode the mean ± sample
 * standard deviation and the min–max of accuracy and mPEs, the accuracy
 * difference paired by seed and the verdict the engine wrote.
 */
function seedSummary(summary: unknown): Html {
  const spread = (x: unknown, f: (v: number) => string, unit: string, fMean = f) => {
    const o = obj(x);
    if (!isNum(o.mean)) return '—';
    return isNum(o.std) ? `${fMean(o.mean)} ± ${f(o.std)}${unit}` : `${fMean(o.mean)}${unit}`;
  };
  const range = (x: unknown, f: (v: number) => string, unit: string) => {
    const o = obj(x);
    return isNum(o.min) && isNum(o.max) ? `${f(o.min)}–${f(o.max)}${unit}` : '—';
  };
  const p2 = (v: number) => (100 * v).toFixed(2);
  const c1 = (v: number) => v.toFixed(1);
  const rows = arr<unknown>(summary).map((x) => {
    const s = obj(x);
    return [
      str(s.mode),
      `${int(s.completed)}/${int(arr(s.seeds).length)}`,
      spread(s.testAccuracy, p2, '%'),
      range(s.testAccuracy, p2, '%'),
      s.mode === 'original' ? '—' : spread(s.deltaAccuracy, p2, ' pt', (v) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${p2(Math.abs(v))}`),
      spread(s.mpes, c1, ''),
      range(s.mpes, (v) => v.toFixed(0), ''),
      reductionText(s.reductionVsOriginal, 'mPEs'),
      reductionText(s.reductionVsPruning, 'mPEs'),
      str(obj(s.verdict).text),
    ];
  });
  if (rows.length === 0) return html`<p class="note">This record has no summary over seeds (written before comparisons had seeds): see the runs below.</p>`;
  return html`<h2>Over seeds</h2>${table(['mode', 'seeds', 'test acc (mean ± std)', 'min–max', 'Δ acc vs original', 'mPEs (mean ± std)', 'min–max', 'mPEs vs original', 'vs pruning', 'verdict'], rows)}<p class="note">std is the sample standard deviation (n − 1); Δ is paired by seed. A difference no larger than the larger spread of the two modes is reported as no measurable loss.</p>`;
}

/** Write report.html into the run or compare folder; returns its path. */
export function writeReport(dir: string): string {
  return writeReportFile(dir, readCompare(dir) ? compareReport(dir) : runReport(dir));
}
