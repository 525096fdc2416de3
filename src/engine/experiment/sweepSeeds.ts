/**
 * Sweeps over several seeds: points that differ only in `training.seed`
 * (a `seed` axis) are one design. Each design is summarised over its seeds
 * as a comparison is (compareStats.ts): mean, sample std and range of every
 * figure, the accuracy lost against the original paired by seed, and the
 * verdict — a difference within the spread is "no measurable loss". The
 * front and the recommendation are then taken over the designs' means.
 */
import { paretoRanks, type Sense } from '../core/pareto';
import type { SweepDesign, SweepFigures, SweepFront, SweepObjective, SweepPointResult } from '../format/sweep';
import { accuracyVerdict, spreadOf } from './compareStats';
import { stableStringify } from './sweepPlan';

/** Whether each objective is minimised or maximised (the points' front and the designs' front). */
export const SENSE: Record<SweepObjective, Sense> = { area: 'min', energy: 'min', mpes: 'min', accuracy: 'max', snnAccuracy: 'max', hwAccuracy: 'max' };
const FIGURE: Record<SweepObjective, keyof SweepDesign> = { area: 'area_mm2', energy: 'energy_uJ', mpes: 'mpes', accuracy: 'testAccuracy', snnAccuracy: 'snnAccuracy', hwAccuracy: 'hwAccuracy' };

/** The seeds a sweep's points were trained with, when a seed axis gives several; undefined otherwise. */
function seedAxis(points: readonly SweepPointResult[]): boolean {
  return new Set(points.map((p) => p.axes.seed).filter((v) => v !== undefined)).size >= 2;
}

/**
 * Group a front's points into designs and rank them; `references` maps a
 * point to the original it is paired with. Fills `designs`, `designFront`
 * and `recommendedDesign` of `front` (nothing without a seed axis).
 */
export function summarizeDesigns(front: SweepFront, references: ReadonlyMap<string, string | undefined>): void {
  if (!seedAxis(front.points)) return;
  const groups = new Map<string, SweepPointResult[]>();
  for (const p of front.points) {
    const { seed: _seed, ...axes } = p.axes;
    const key = stableStringify({ axes, mode: p.mode, crossbar: p.crossbar, preset: p.preset });
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const designOf = new Map<string, SweepDesign>();
  const designs: SweepDesign[] = [...groups.values()].map((pts) => {
    const { seed: _seed, ...axes } = pts[0].axes;
    const done = pts.filter((p) => p.figures);
    const spread = (f: (x: SweepFigures) => number | undefined) => spreadOf(done.map((p) => f(p.figures!)));
    const d: SweepDesign = {
      id: `d${pts[0].id.slice(1)}`,
      pointIds: pts.map((p) => p.id),
      seeds: pts.map((p) => Number(p.axes.seed)),
      mode: pts[0].mode,
      crossbar: pts[0].crossbar,
      preset: pts[0].preset,
      axes,
      done: done.length,
      testAccuracy: spread((f) => f.testAccuracy),
      snnAccuracy: spread((f) => f.snnAccuracy),
      hwAccuracy: spread((f) => f.hwAccuracy),
      mpes: spread((f) => f.mpes),
      area_mm2: spread((f) => f.area_mm2),
      energy_uJ: spread((f) => f.energy_uJ),
      accuracyLoss: spreadOf(done.map((p) => p.accuracyLoss)),
      ...(done.some((p) => p.figures!.warnings?.length) ? { warnings: true } : {}),
    };
    for (const p of pts) designOf.set(p.id, d);
    return d;
  });
  // The verdict against the original's design: the paired mean difference, judged against the larger spread.
  for (const d of designs) {
    if (d.mode === 'original' || !d.accuracyLoss) continue;
    const refId = d.pointIds.map((id) => references.get(id)).find((r) => r !== undefined);
    const ref = refId ? designOf.get(refId) : undefined;
    const noise = Math.max(d.testAccuracy?.std ?? NaN, ref?.testAccuracy?.std ?? NaN);
    d.verdict = accuracyVerdict(-d.accuracyLoss.mean, Number.isFinite(noise) ? noise : undefined, d.accuracyLoss.n);
  }
  const ranked = designs.filter((d) => d.done > 0);
  const value = (d: SweepDesign, o: SweepObjective) => (d[FIGURE[o]] as { mean: number } | undefined)?.mean ?? NaN;
  const ranks = paretoRanks(
    ranked.map((d) => front.objectives.map((o) => value(d, o))),
    front.objectives.map((o) => SENSE[o]),
  );
  ranked.forEach((d, i) => (d.rank = ranks[i] >= 0 ? ranks[i] : undefined));
  front.designs = designs;
  front.designFront = ranked
    .filter((d) => d.rank === 0)
    .sort((a, b) => value(a, 'area') - value(b, 'area') || a.id.localeCompare(b.id))
    .map((d) => d.id);
  // Every seed priced, the mean loss within the limit, no warnings; then the lowest mean area × mean energy.
  const within = ranked.filter((d) => d.done === d.pointIds.length && d.accuracyLoss !== undefined && d.accuracyLoss.mean <= front.accuracyLossLimit + 1e-12 && !d.warnings);
  within.sort((a, b) => value(a, 'area') * value(a, 'energy') - value(b, 'area') * value(b, 'energy') || value(b, 'accuracy') - value(a, 'accuracy') || a.id.localeCompare(b.id));
  if (within[0]) front.recommendedDesign = within[0].id;
  else delete front.recommendedDesign;
}

const pct = (s: { mean: number; std?: number } | undefined) => (s ? `${(100 * s.mean).toFixed(2)}${s.std !== undefined ? ` ± ${(100 * s.std).toFixed(2)}` : ''}%` : '—');
const num = (s: { mean: number; std?: number } | undefined, digits = 3) =>
  s ? `${s.mean.toPrecision(digits)}${s.std !== undefined && s.std > 0 ? ` ± ${s.std.toPrecision(2)}` : ''}` : '—';

/** "97.10–97.30%": the range of a spread; "—" without one. */
const range = (s: { min: number; max: number } | undefined) => (s ? `${(100 * s.min).toFixed(2)}–${(100 * s.max).toFixed(2)}%` : '—');

/** The designs as a text table (the CLI prints it after the points'). */
export function formatDesignTable(f: SweepFront): string[] {
  if (!f.designs?.length) return [];
  const extra = [...new Set(f.designs.flatMap((d) => Object.keys(d.axes)))].filter((a) => !['mode', 'crossbar', 'preset'].includes(a));
  const order = [...f.designs].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || (a.area_mm2?.mean ?? Infinity) - (b.area_mm2?.mean ?? Infinity) || a.id.localeCompare(b.id));
  // Accuracy on chips (each seed's mean over its chips), when some design was measured on them.
  const hw = f.designs.some((d) => d.hwAccuracy);
  const head = ['', 'design', 'mode', 'crossbar', 'preset', ...extra, 'seeds', 'test acc (mean ± std)', ...(hw ? ['chip acc (mean ± std)', 'chip min–max'] : []), 'Δ acc (paired)', 'mPEs', 'area mm²', 'energy µJ', 'rank', 'accuracy against the original'];
  const body = order.map((d) => [
    f.recommendedDesign === d.id ? '→' : d.rank === 0 ? '*' : '',
    d.id,
    d.mode,
    String(d.crossbar),
    d.preset,
    ...extra.map((a) => (d.axes[a] === undefined ? '' : String(d.axes[a]))),
    `${d.done}/${d.pointIds.length}`,
    pct(d.testAccuracy),
    ...(hw ? [pct(d.hwAccuracy), range(d.hwAccuracy)] : []),
    d.accuracyLoss ? `${(-100 * d.accuracyLoss.mean).toFixed(2)}${d.accuracyLoss.std !== undefined ? ` ± ${(100 * d.accuracyLoss.std).toFixed(2)}` : ''} pt` : '—',
    num(d.mpes),
    num(d.area_mm2),
    num(d.energy_uJ),
    d.rank === undefined ? '—' : String(d.rank),
    d.mode === 'original' ? 'reference' : (d.verdict?.text ?? '—'),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const left = new Set([0, 1, 2, 4, head.length - 1]);
  const line = (c: string[]) => c.map((s, i) => (left.has(i) ? s.padEnd(w[i]) : s.padStart(w[i]))).join('  ').trimEnd();
  const out = ['', `over seeds ${[...new Set(f.designs.flatMap((d) => d.seeds))].join(', ')}: ${f.designs.length} designs, front of the means (* on it, → recommended); std = sample standard deviation${hw ? ' (chip acc: over the seeds\' chip means)' : ''}`, line(head), line(w.map((n) => '─'.repeat(n))), ...body.map(line)];
  const r = f.designs.find((d) => d.id === f.recommendedDesign);
  out.push(
    r
      ? `recommended over seeds: ${r.id} — ${r.mode}, ${r.crossbar}×${r.crossbar}, ${r.preset}: area ${num(r.area_mm2)} mm², energy ${num(r.energy_uJ)} µJ, accuracy ${pct(r.testAccuracy)}${r.hwAccuracy ? `, on chips ${pct(r.hwAccuracy)}` : ''}; ${r.verdict?.text ?? ''}`
      : `no recommendation over seeds: no design with every seed priced within the accuracy-loss limit (${(100 * f.accuracyLossLimit).toFixed(2)} pt mean, against its original)`,
  );
  return out;
}
