/**
 * `trannsformer report`: one self-contained HTML file for a run or a
 * comparison — tables, the per-layer mapping summary, and charts drawn as
 * inline SVG (no scripts, no network), so it opens anywhere.
 */
import * as path from 'node:path';

import { FILES, readCompare, readEvaluation, readMetrics, readRun, writeReportFile } from '../store/runFolder';

import { UserError } from '../core/errors';

import type { Evaluation } from '../format/evaluation';
import type { RunResult } from '../format/run';
import type { EpochMetrics } from '../format/metrics';
const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (x: number | undefined, d = 2) => (x === undefined ? '—' : `${(100 * x).toFixed(d)}%`);
const num = (x: number | undefined) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
const red = (x: number | undefined) => (x === undefined ? '—' : Math.abs(x) < 5e-4 ? '0.0%' : `${x > 0 ? '−' : '+'}${Math.abs(100 * x).toFixed(1)}%`);
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1'];
/** The same series keeps its colour in every chart of a report. */
const MODE_COLOURS: Record<string, string> = { original: COLORS[0], pruning: COLORS[1], trannsformer: COLORS[2], offline: COLORS[3] };
const colourOf = (name: string, k: number) => MODE_COLOURS[name] ?? COLORS[k % COLORS.length];

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A line chart of several series over x = 1…n. */
/**
 * A line chart of several series. x is 1…n (epochs) unless `x` gives the
 * positions (e.g. SNN timesteps), labelled with `xLabel` (default "epoch ").
 * A flat series gets a small band around its value (percentages stay within
 * 0…100%); with few points each is marked, so one epoch is visible.
 */
export function lineChart(title: string, series: { name: string; values: number[] }[], opts: { percent?: boolean; x?: number[]; xLabel?: string } = {}): string {
  const W = 560;
  const H = 220;
  const m = { l: 48, r: 12, t: 24, b: 28 };
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (all.length === 0) return '';
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi - lo < 1e-9) {
    const pad = opts.percent ? 0.01 : Math.max(Math.abs(lo) * 0.05, 1e-6);
    [lo, hi] = [lo - pad, hi + pad];
  }
  if (opts.percent) [lo, hi] = [Math.max(0, lo), Math.min(1, hi)];
  const n = Math.max(...series.map((s) => s.values.length));
  const xs = opts.x ?? Array.from({ length: n }, (_, i) => i + 1);
  const x0 = xs[0] ?? 1;
  const x1 = xs[xs.length - 1] ?? 1;
  const X = (i: number) => m.l + (x1 === x0 ? (W - m.l - m.r) / 2 : ((xs[i] - x0) / (x1 - x0)) * (W - m.l - m.r));
  const Y = (v: number) => H - m.b - ((v - lo) / (hi - lo)) * (H - m.t - m.b);
  const fmt = (v: number) => (opts.percent ? `${(100 * v).toFixed(1)}%` : num(v));
  const ticks = [lo, (lo + hi) / 2, hi];
  const xl = opts.xLabel ?? 'epoch ';
  const lines = series
    .map((s, k) => {
      const c = colourOf(s.name, k);
      const pts = s.values.map((v, i) => [X(i), Y(v)] as const).filter(([, y]) => Number.isFinite(y));
      const marks = pts.length <= 30 ? pts.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${c}"/>`).join('') : '';
      return `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>${marks}`;
    })
    .join('');
  const legend = series.map((s, k) => `<tspan fill="${colourOf(s.name, k)}">■ ${esc(s.name)}</tspan>`).join('  ');
  const xTicks = (xs.length > 2 && xs.length <= 12 ? xs : [x0, x1].slice(0, x1 === x0 ? 1 : 2)).map((v) => {
    const i = xs.indexOf(v);
    return `<text x="${X(i).toFixed(1)}" y="${H - 8}" text-anchor="${i === 0 && xs.length > 1 ? 'start' : i === xs.length - 1 && xs.length > 1 ? 'end' : 'middle'}" class="a">${esc(xl)}${v}</text>`;
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">
<text x="${m.l}" y="14" class="t">${esc(title)}</text><text x="${W - m.r}" y="14" text-anchor="end" class="l">${legend}</text>
${ticks.map((v) => `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(v)}" y2="${Y(v)}" class="g"/><text x="${m.l - 4}" y="${Y(v) + 4}" text-anchor="end" class="a">${fmt(v)}</text>`).join('')}
${xTicks.join('')}${lines}</svg>`;
}

/** Horizontal bars, optionally stacked (one segment per part). */
export function barChart(title: string, bars: { name: string; parts: number[] }[], partNames: string[], unit: string, integer = false): string {
  const show = (v: number) => (integer ? String(Math.round(v)) : num(v));
  const W = 560;
  const rowH = 26;
  const m = { l: 110, r: 70, t: 24 };
  const H = m.t + bars.length * rowH + 22;
  const max = Math.max(...bars.map((b) => b.parts.reduce((a, c) => a + c, 0)), 1e-30);
  const sx = (v: number) => (v / max) * (W - m.l - m.r);
  const rows = bars
    .map((b, i) => {
      let x = m.l;
      const y = m.t + i * rowH;
      const segs = b.parts
        .map((p, k) => {
          const w = sx(p);
          const r = `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0, w).toFixed(1)}" height="${rowH - 8}" fill="${COLORS[k % COLORS.length]}"><title>${esc(partNames[k] ?? '')}: ${show(p)} ${esc(unit)}</title></rect>`;
          x += w;
          return r;
        })
        .join('');
      const total = b.parts.reduce((a, c) => a + c, 0);
      return `<text x="${m.l - 6}" y="${y + 13}" text-anchor="end" class="a">${esc(b.name)}</text>${segs}<text x="${x + 4}" y="${y + 13}" class="a">${show(total)} ${esc(unit)}</text>`;
    })
    .join('');
  const legend = partNames.length > 1 ? partNames.map((p, k) => `<tspan fill="${COLORS[k % COLORS.length]}">■ ${esc(p)}</tspan>`).join('  ') : '';
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><text x="${m.l}" y="14" class="t">${esc(title)}</text><text x="${W - 4}" y="14" text-anchor="end" class="l">${legend}</text>${rows}</svg>`;
}

// A report is a document of its own (opened in a browser, or in an editor panel whatever the theme):
// it carries its own light page, so its text and charts read the same on a dark or high-contrast editor.
const CSS = `:root{color-scheme:light}html{background:#fff}
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1f2328;background:#fff}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0 12px}th,td{padding:4px 10px;border-bottom:1px solid #eaeef2;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f6f8fa}.note{color:#57606a;font-size:13px}svg{margin:6px 12px 6px 0}.t{font-weight:600;font-size:13px}.a,.l{font-size:11px;fill:#57606a}.g{stroke:#eaeef2}
.charts{display:flex;flex-wrap:wrap}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${esc(title)}</title><style>${CSS}</style></head><body><h1>${esc(title)}</h1>${body}
<p class="note">Generated by TraNNsformer Studio. mPE counts come from the mapping; area and energy are model estimates from the technology preset, not measured silicon.</p></body></html>\n`;
}

function mappingSection(r: RunResult): string {
  const m = r.mapping;
  if (!m) return '';
  const schemes = Object.entries(m.schemes);
  const layers = r.layers.length - 1;
  const rows = schemes.map(([name, s]) => [name + (name === m.shown ? ' (shown)' : ''), ...s.perLayer.map(String), String(s.total), pct(s.utilisation, 1), s.taken ? s.taken.join(', ') : '']);
  return `<h2>Crossbar mapping at ${m.crossbarSize}×${m.crossbarSize}</h2>${table(['scheme', ...Array.from({ length: layers }, (_, l) => `layer ${l + 1}`), 'total mPEs', 'utilisation', 'taken'], rows)}
${table(['', ...Array.from({ length: layers }, (_, l) => `layer ${l + 1}`)], [
    ['synapses kept', ...m.keptFraction.map((k) => pct(k, 1))],
    ...(m.clusters.some((n) => n > 0)
      ? [
          ['clusters', ...m.clusters.map(String)],
          ['kept synapses inside clusters', ...m.clusteredFraction.map((k) => pct(k, 1))],
        ]
      : []),
  ])}`;
}

function evaluationSection(e: Evaluation | undefined): string {
  if (!e) return '';
  const rows = e.results.map((r) => [r.preset, `${r.crossbarSize}×${r.crossbarSize}`, String(r.mpes), num(r.area.total_mm2), num(r.energy.total_uJ), num(r.energy.crossbar_uJ), num(r.energy.neuron_uJ), num(r.energy.communication_uJ), r.adcEnergy_uJ === undefined ? '—' : num(r.adcEnergy_uJ)]);
  const caveats = e.presets.flatMap((p) => p.caveats.map((c) => `${p.name}: ${c}`));
  const warnings = [...e.results.flatMap((r) => r.warnings), ...e.notes];
  return `<h2>Spiking implementation</h2><p>SNN ${pct(e.snn.accuracy)} vs ANN ${pct(e.snn.annAccuracy)} on ${e.snn.images} test images, T = ${e.snn.timesteps} (${esc(e.snn.encoding)} inputs).</p>
<div class="charts">${lineChart('SNN accuracy vs timesteps T', [{ name: 'SNN', values: e.snn.curve.map((c) => c.accuracy) }], { percent: true, x: e.snn.curve.map((c) => c.timesteps), xLabel: 'T = ' })}</div>
${table(['preset', 'crossbar', 'mPEs', 'area mm²', 'energy µJ', 'crossbar µJ', 'neuron µJ', 'comm. µJ', 'ADC ANN µJ'], rows)}
${warnings.map((w) => `<p class="note">${esc(w)}</p>`).join('')}${caveats.length ? `<details><summary class="note">Borrowed and estimated preset fields (${caveats.length})</summary><ul class="note">${caveats.map((c) => `<li>${esc(c)}</li>`).join('')}</ul></details>` : ''}`;
}

function curves(runs: { name: string; metrics: EpochMetrics[] }[]): string {
  const acc = lineChart('Test accuracy', runs.map((r) => ({ name: r.name, values: r.metrics.map((m) => m.testAccuracy) })), { percent: true });
  const kept = lineChart('Synapses kept (all layers, mean)', runs.map((r) => ({ name: r.name, values: r.metrics.map((m) => m.keptFraction.reduce((a, b) => a + b, 0) / m.keptFraction.length) })), { percent: true });
  const withMpes = runs.filter((r) => r.metrics.some((m) => m.transform));
  const mpes = withMpes.length ? lineChart('mPEs at the configured crossbar size', withMpes.map((r) => ({ name: r.name, values: r.metrics.map((m) => m.transform?.mpes ?? NaN) }))) : '';
  return `<div class="charts">${acc}${kept}${mpes}</div>`;
}

export function runReport(dir: string): string {
  const rec = readRun(dir);
  if (rec.state !== 'ok' || !rec.result) throw new UserError(dir, `is not a readable run folder${rec.problem ? ` (${rec.problem})` : ''}`);
  const r = rec.result;
  const { metrics } = readMetrics(dir);
  const summary = table(['', ''], [
    ['status', r.status],
    ['mode', rec.config?.transform?.mode ?? 'original'],
    ['network', r.layers.join('-')],
    ['data', r.dataset ? `${r.dataset.name}: ${r.dataset.train} train / ${r.dataset.test} test` : '—'],
    ['epochs', `${r.epochsCompleted} of ${r.epochsPlanned}`],
    ['test accuracy (ANN)', pct(r.final?.testAccuracy)],
    ['backend', r.backend ? `${r.backend.name} (${r.backend.detail})` : '—'],
    ['time', `${r.seconds.toFixed(0)} s`],
  ]);
  return page(`TraNNsformer run: ${r.name}`, `${summary}<h2>Training</h2>${curves([{ name: r.name, metrics }])}${mappingSection(r)}${evaluationSection(readEvaluation(dir))}`);
}

export function compareReport(dir: string): string {
  const c = readCompare(dir);
  if (!c) throw new UserError(path.join(dir, FILES.compare), 'is missing or is not a comparison record');
  const orig = c.rows.find((r) => r.mode === 'original');
  const main = table(
    ['mode', 'test acc', 'Δ acc', 'mPEs', 'mapping', 'paper mapping', 'utilisation', 'vs original', 'vs pruning'],
    c.rows.map((r) => [r.mode, pct(r.testAccuracy), orig?.testAccuracy !== undefined && r.testAccuracy !== undefined ? `${(100 * (r.testAccuracy - orig.testAccuracy)).toFixed(2)} pt` : '—', String(r.mpes ?? '—'), r.shown ?? '—', String(r.paperMpes ?? '—'), pct(r.utilisation, 1), red(r.reductionVsOriginal), red(r.reductionVsPruning)]),
  );
  const priced = c.rows.filter((r) => r.hardware);
  const hw = priced.length
    ? `<h2>Spiking implementation on ${esc(priced[0].hardware!.preset)}</h2>${table(
        ['mode', 'ANN acc', 'SNN acc', 'area mm²', 'energy µJ', 'area vs orig', 'energy vs orig', 'area vs pruning', 'energy vs pruning'],
        priced.map((r) => [r.mode, pct(r.testAccuracy), pct(r.hardware!.snnAccuracy), num(r.hardware!.area_mm2), num(r.hardware!.energy_uJ), red(r.hardware!.areaVsOriginal), red(r.hardware!.energyVsOriginal), red(r.hardware!.areaVsPruning), red(r.hardware!.energyVsPruning)]),
      )}<div class="charts">${barChart('Area', priced.map((r) => ({ name: r.mode, parts: [r.hardware!.area_mm2] })), ['area'], 'mm²')}${barChart(
        'Energy per classification',
        priced.map((r) => ({ name: r.mode, parts: [r.hardware!.crossbar_uJ, r.hardware!.neuron_uJ, r.hardware!.communication_uJ] })),
        ['crossbar', 'neuron', 'communication'],
        'µJ',
      )}</div><p class="note">The paper reports, without accuracy loss: area −28…55% and energy −49…67% vs the original; −28…49% and −15…29% vs pruning.</p>`
    : '';
  const runs = c.rows.map((r) => ({ name: r.mode, metrics: readMetrics(r.runDir).metrics }));
  const perRun = c.rows
    .map((r) => {
      const rec = readRun(r.runDir);
      return rec.result ? `<h2>${esc(r.mode)}</h2>${mappingSection(rec.result)}${evaluationSection(readEvaluation(r.runDir))}` : '';
    })
    .join('');
  return page(
    `TraNNsformer comparison: ${c.name}`,
    `<p>${c.epochs} epochs, ${c.crossbarSize}×${c.crossbarSize} crossbars; original, pruning and TraNNsformer trained on the same data and seed.</p>${main}<div class="charts">${barChart('mPEs', c.rows.map((r) => ({ name: r.mode, parts: [r.mpes ?? 0] })), ['mPEs'], 'mPEs', true)}</div>${hw}<h2>Training</h2>${curves(runs)}${perRun}`,
  );
}

/** Write report.html into the run or compare folder; returns its path. */
export function writeReport(dir: string): string {
  return writeReportFile(dir, readCompare(dir) ? compareReport(dir) : runReport(dir));
}
