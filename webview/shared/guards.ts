/**
 * Checks of what the host sends, per panel: the typed message, or a reason
 * to drop it (the host is trusted, but a version mismatch or a bug must not
 * draw garbage). Shape checks only; the host built the numbers.
 */
import type { CurvesView, HostToCurves, HostToMapping, HostToPareto, MappingView, ParetoView } from '../../src/protocol/webview';

const isObj = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null && !Array.isArray(m);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, min = 0): v is number => Number.isInteger(v) && (v as number) >= min;
const isIdxArray = (v: unknown, n: number) => Array.isArray(v) && v.every((i) => Number.isInteger(i) && i >= 0 && i < n);

export function checkMappingView(v: unknown): MappingView | string {
  if (!isObj(v)) return 'view is not an object';
  if (typeof v.key !== 'string' || typeof v.name !== 'string' || typeof v.mode !== 'string') return 'view lacks key, name or mode';
  if (!isInt(v.crossbarSize, 1)) return 'crossbarSize must be a positive integer';
  if (!Array.isArray(v.schemes) || !Array.isArray(v.snapshots) || !Array.isArray(v.siblings) || !Array.isArray(v.notes)) return 'schemes, snapshots, siblings and notes must be arrays';
  if (!Array.isArray(v.layers) || v.layers.length === 0) return 'layers must be a non-empty array';
  for (const [i, l] of (v.layers as unknown[]).entries()) {
    if (!isObj(l) || !isInt(l.rows, 1) || !isInt(l.cols, 1)) return `layer ${i}: rows and cols must be positive integers`;
    const rows = l.rows as number;
    const cols = l.cols as number;
    if (typeof l.bits !== 'string' || l.bits.length !== 4 * Math.ceil(Math.ceil((rows * cols) / 8) / 3)) return `layer ${i}: bits must be base64 of ${Math.ceil((rows * cols) / 8)} bytes`;
    if (!isObj(l.permutation) || !isIdxArray(l.permutation.outputs, rows) || !isIdxArray(l.permutation.inputs, cols) || (l.permutation.outputs as number[]).length !== rows || (l.permutation.inputs as number[]).length !== cols)
      return `layer ${i}: permutation must order all ${rows} outputs and ${cols} inputs`;
    if (!Array.isArray(l.clusters) || !l.clusters.every((c: unknown) => isObj(c) && isIdxArray(c.outputs, rows) && isIdxArray(c.inputs, cols) && isNum(c.quality)))
      return `layer ${i}: clusters must hold neuron indices of the layer`;
    if (l.crossbars !== undefined && !(Array.isArray(l.crossbars) && l.crossbars.every((c: unknown) => isObj(c) && isIdxArray(c.rows, rows) && isIdxArray(c.cols, cols) && isInt(c.synapses))))
      return `layer ${i}: crossbars must hold neuron indices of the layer`;
  }
  return v as unknown as MappingView;
}

export function checkHostToMapping(m: unknown): HostToMapping | string {
  if (!isObj(m)) return 'not an object';
  if (m.type === 'error') return typeof m.message === 'string' ? { type: 'error', message: m.message } : 'error without a message';
  if (m.type !== 'show') return `unknown message type ${String(m.type)}`;
  const v = checkMappingView(m.view);
  return typeof v === 'string' ? v : { type: 'show', view: v };
}

export function checkParetoView(v: unknown): ParetoView | string {
  if (!isObj(v) || !Array.isArray(v.points) || !isObj(v.fronts) || !isObj(v.minimise)) return 'view must have points, fronts and minimise';
  const n = v.points.length;
  for (const [i, p] of (v.points as unknown[]).entries()) {
    if (!isObj(p) || typeof p.key !== 'string' || typeof p.mode !== 'string' || !isInt(p.crossbar, 1) || !isObj(p.values) || !isObj(p.dominated)) return `point ${i} is malformed`;
    if (!Object.values(p.values).every(isNum)) return `point ${i}: values must be finite numbers`;
    const sw = p.sweep;
    if (sw !== undefined && !(isObj(sw) && typeof sw.id === 'string' && isObj(sw.axes) && Object.values(sw.axes).every((a) => typeof a === 'string') && typeof sw.recommended === 'boolean' && typeof sw.repriced === 'boolean'))
      return `point ${i}: sweep must have an id, axes as text and recommended and repriced flags`;
    if (sw !== undefined && ((sw.seeds !== undefined && !(Array.isArray(sw.seeds) && sw.seeds.every((x) => isInt(x)))) || (sw.verdict !== undefined && typeof sw.verdict !== 'string')))
      return `point ${i}: sweep seeds must be whole numbers and its verdict text`;
    const sp = p.spread;
    if (sp !== undefined && !(isObj(sp) && Object.values(sp).every((x) => isObj(x) && isInt(x.n, 1) && isNum(x.min) && isNum(x.max) && (x.std === undefined || isNum(x.std)))))
      return `point ${i}: spread must give n, min, max (and std) as numbers`;
    if (p.warnings !== undefined && !(Array.isArray(p.warnings) && p.warnings.every((w) => typeof w === 'string'))) return `point ${i}: warnings must be a list of text`;
  }
  const s = v.sweep;
  if (s !== undefined && !(isObj(s) && typeof s.dir === 'string' && typeof s.name === 'string' && isInt(s.done) && isInt(s.planned) && isInt(s.failed) && isNum(s.accuracyLossLimit)))
    return 'sweep must have dir, name, done, planned, failed and accuracyLossLimit';
  for (const [k, f] of Object.entries(v.fronts)) if (!isIdxArray(f, n)) return `front ${k} must list point indices`;
  return v as unknown as ParetoView;
}

export function checkHostToPareto(m: unknown): HostToPareto | string {
  if (!isObj(m) || m.type !== 'show') return 'unknown message';
  const v = checkParetoView(m.view);
  return typeof v === 'string' ? v : { type: 'show', view: v };
}

const isMetrics = (x: unknown) => isObj(x) && isInt(x.epoch, 0) && isNum(x.testAccuracy) && Array.isArray(x.keptFraction);

export function checkCurvesView(v: unknown): CurvesView | string {
  if (!isObj(v) || typeof v.key !== 'string' || typeof v.name !== 'string' || !Array.isArray(v.metrics)) return 'view must have key, name and metrics';
  if (!v.metrics.every(isMetrics)) return 'metrics must be epoch records';
  return v as unknown as CurvesView;
}

export function checkHostToCurves(m: unknown): HostToCurves | string {
  if (!isObj(m)) return 'not an object';
  if (m.type === 'epoch') return typeof m.key === 'string' && isMetrics(m.metrics) ? (m as unknown as HostToCurves) : 'epoch message is malformed';
  if (m.type !== 'show') return `unknown message type ${String(m.type)}`;
  const v = checkCurvesView(m.view);
  return typeof v === 'string' ? v : { type: 'show', view: v };
}
