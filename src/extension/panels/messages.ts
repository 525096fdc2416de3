/**
 * Host-side checks of what webviews send: a message of the wrong shape is
 * rejected with a reason (the caller logs it and drops it), and a run folder
 * named by a webview is accepted only inside one of the runs folders.
 * Pure (no `vscode`): tested in plain Node.
 */
import * as path from 'node:path';

import type { CurvesToHost, DetailsToHost, MappingToHost, ParetoMetric, ParetoToHost } from '../../protocol/webview';

export type Checked<T> = { ok: true; message: T } | { ok: false; reason: string };

const isObj = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null && !Array.isArray(m);
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const METRICS: readonly string[] = ['area', 'energy', 'accuracy', 'accuracyLoss', 'mpes', 'hwAccuracy'] satisfies ParetoMetric[];
const isMetric = (v: unknown): v is ParetoMetric => typeof v === 'string' && METRICS.includes(v);
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** A value from a webview, for a log line: its kind and at most a few dozen characters of it. */
export function preview(v: unknown, max = 60): string {
  if (typeof v !== 'string') return v === null ? 'null' : Array.isArray(v) ? `an array of ${v.length}` : typeof v;
  const s = v.replace(/[^\u0020-\u007e\u0080-\uffff]/g, '?');
  return s.length > max ? `${JSON.stringify(s.slice(0, max))}… (${v.length} characters)` : JSON.stringify(s);
}

/** The message's type if it is a short string, for a reason ("unknown message type …"). */
const typeOf = (m: Record<string, unknown>): string => preview(m.type, 40);

/**
 * Run a message check so that nothing a webview sends can throw in the host:
 * a check that throws (it should not) counts as a rejection with its reason.
 */
export function checkSafely<T>(check: (m: unknown) => Checked<T>, m: unknown): Checked<T> {
  try {
    return check(m);
  } catch (e) {
    return fail(`the message could not be checked (${e instanceof Error ? e.message : 'unknown error'})`);
  }
}

/** True when `p` is strictly inside one of `roots` (after resolving `..` and the like). */
export function insideRoots(p: string, roots: readonly string[]): boolean {
  if (!path.isAbsolute(p)) return false;
  const target = path.resolve(p);
  return roots.some((root) => {
    const rel = path.relative(path.resolve(root), target);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}

function keyField(m: Record<string, unknown>, field: string): Checked<string> {
  const v = m[field];
  return isStr(v) ? { ok: true, message: v } : fail(`"${field}" must be a non-empty string of at most 4096 characters (got ${preview(v)})`);
}

/**
 * Handle one message from a webview: checked first; a malformed one (wrong
 * type, missing or oversized fields, not an object at all) is reported
 * through `warn` and dropped; a handler that throws is reported too. Never
 * throws: a webview cannot take the extension host down.
 */
export function dispatchMessage<T extends { type: string }>(where: string, raw: unknown, check: (m: unknown) => Checked<T>, handle: (m: T) => void, warn: (line: string) => void): void {
  const c = checkSafely(check, raw);
  if (!c.ok) {
    warn(`${where}: dropped a message from the webview: ${c.reason}`);
    return;
  }
  try {
    handle(c.message);
  } catch (e) {
    warn(`${where}: handling "${c.message.type}" failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Messages of the Run details view: a run folder path with every request but `ready` (the host then checks it is inside a runs folder). */
export function checkDetailsMessage(m: unknown): Checked<DetailsToHost> {
  if (!isObj(m) || typeof m.type !== 'string') return fail('not a message object with a "type"');
  switch (m.type) {
    case 'ready':
      return { ok: true, message: { type: 'ready' } };
    case 'openReport':
    case 'reveal':
    case 'openMapping':
    case 'openCurves': {
      const d = keyField(m, 'dir');
      return d.ok ? { ok: true, message: { type: m.type, dir: d.message } } : d;
    }
    default:
      return fail(`unknown message type ${typeOf(m)}`);
  }
}

export function checkMappingMessage(m: unknown): Checked<MappingToHost> {
  if (!isObj(m) || typeof m.type !== 'string') return fail('not a message object with a "type"');
  switch (m.type) {
    case 'ready':
      return { ok: true, message: { type: 'ready' } };
    case 'openReport': {
      const k = keyField(m, 'key');
      return k.ok ? { ok: true, message: { type: 'openReport', key: k.message } } : k;
    }
    case 'select': {
      const k = keyField(m, 'key');
      if (!k.ok) return k;
      if (m.scheme !== undefined && !isStr(m.scheme, 64)) return fail('"scheme" must be a short string');
      if (m.epoch !== undefined && !(Number.isInteger(m.epoch) && (m.epoch as number) >= 0)) return fail('"epoch" must be a non-negative integer');
      return { ok: true, message: { type: 'select', key: k.message, ...(m.scheme !== undefined ? { scheme: m.scheme as string } : {}), ...(m.epoch !== undefined ? { epoch: m.epoch as number } : {}) } };
    }
    default:
      return fail(`unknown message type ${typeOf(m)}`);
  }
}

/** PNG exports are data URLs of at most this many characters (about 15 MB of image). */
export const MAX_PNG_CHARS = 20_000_000;

export function checkParetoMessage(m: unknown): Checked<ParetoToHost> {
  if (!isObj(m) || typeof m.type !== 'string') return fail('not a message object with a "type"');
  switch (m.type) {
    case 'ready':
      return { ok: true, message: { type: 'ready' } };
    case 'exportCsv':
      if (!isMetric(m.x) || !isMetric(m.y)) return fail('"x" and "y" must be metrics (area, energy, accuracy, accuracyLoss, mpes, hwAccuracy)');
      return { ok: true, message: { type: 'exportCsv', x: m.x, y: m.y } };
    case 'openMapping': {
      const k = keyField(m, 'key');
      return k.ok ? { ok: true, message: { type: 'openMapping', key: k.message } } : k;
    }
    case 'exportPng': {
      const d = m.dataUrl;
      if (typeof d !== 'string' || !d.startsWith('data:image/png;base64,') || d.length > MAX_PNG_CHARS || !/^[A-Za-z0-9+/=]*$/.test(d.slice(22, 2000)))
        return fail('"dataUrl" must be a PNG data URL');
      return { ok: true, message: { type: 'exportPng', dataUrl: d } };
    }
    default:
      return fail(`unknown message type ${typeOf(m)}`);
  }
}

export function checkCurvesMessage(m: unknown): Checked<CurvesToHost> {
  if (!isObj(m) || typeof m.type !== 'string') return fail('not a message object with a "type"');
  switch (m.type) {
    case 'ready':
      return { ok: true, message: { type: 'ready' } };
    case 'openMapping': {
      const k = keyField(m, 'key');
      return k.ok ? { ok: true, message: { type: 'openMapping', key: k.message } } : k;
    }
    default:
      return fail(`unknown message type ${typeOf(m)}`);
  }
}

/** The panel state a webview saves (restored after a window reload): only a key and view choices, never data. */
export interface PanelState {
  key?: string;
  scheme?: string;
  epoch?: number;
}

export function checkPanelState(s: unknown): PanelState {
  if (!isObj(s)) return {};
  const out: PanelState = {};
  if (isStr(s.key)) out.key = s.key;
  if (isStr(s.scheme, 64)) out.scheme = s.scheme;
  if (Number.isInteger(s.epoch) && (s.epoch as number) >= 0) out.epoch = s.epoch as number;
  return out;
}
