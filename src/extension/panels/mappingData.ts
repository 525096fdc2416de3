/**
 * What the crossbar mapping panel is sent for one run: per layer the
 * connectivity (bit-packed, base64), the valid clusters with the stored
 * cluster order, and the crossbars of the chosen scheme — read through the
 * engine's store, for the final network or for one connectivity snapshot.
 * Pure (no `vscode`): tested in plain Node.
 */
import * as path from 'node:path';
import { FILES, listSnapshots, packBits, readModel, readRun, readSnapshot, subfolders } from '../../engine/store/runFolder';
import { readRecord } from '../folderFiles';
import { checkClustersFile, checkMappingFile, checkRun, isNum, messageOf, okRun } from '../records';

import type { ClusterRecord, MappingFile } from '../../engine/format/clusters';
import type { MappingCrossbarView, MappingLayerView, MappingView } from '../../protocol/webview';

/** Order neurons so that each group's members are contiguous (first group first), the rest after. */
export function groupingOrder(n: number, groups: readonly (readonly number[])[]): number[] {
  const seen = new Uint8Array(n);
  const order: number[] = [];
  for (const g of groups)
    for (const i of g)
      if (i >= 0 && i < n && !seen[i]) {
        seen[i] = 1;
        order.push(i);
      }
  for (let i = 0; i < n; i++) if (!seen[i]) order.push(i);
  return order;
}

/** The dense scheme's tiling (mapping.json leaves it implied): x×x tiles in original order, synapses counted from the mask. */
export function denseCrossbars(rows: number, cols: number, mask: Uint8Array, x: number): MappingCrossbarView[] {
  const out: MappingCrossbarView[] = [];
  for (let r0 = 0; r0 < rows; r0 += x)
    for (let c0 = 0; c0 < cols; c0 += x) {
      const R = Array.from({ length: Math.min(x, rows - r0) }, (_, i) => r0 + i);
      const C = Array.from({ length: Math.min(x, cols - c0) }, (_, i) => c0 + i);
      let synapses = 0;
      for (const r of R) for (const c of C) synapses += mask[r * cols + c] ? 1 : 0;
      out.push({ rows: R, cols: C, synapses, kind: 'tile' });
    }
  return out;
}

const base64 = (bits: Uint8Array) => Buffer.from(bits.buffer, bits.byteOffset, bits.byteLength).toString('base64');

function popcount(bits: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    let b = bits[i];
    while (b) {
      b &= b - 1;
      n++;
    }
  }
  return n;
}

const validClusters = (cs: ClusterRecord[] | undefined) =>
  (cs ?? []).filter((c) => c.valid && isNum(c.quality)).map((c) => ({ outputs: c.outputs, inputs: c.inputs, quality: c.quality }));

/**
 * A run's mapping.json or clusters.json, checked against its network: the
 * record, undefined when missing, or (damaged) undefined with a note saying
 * which file and why — the panel draws the rest.
 */
function readChecked<T>(dir: string, name: string, kind: 'mapping' | 'clusters', check: (v: unknown, layers: readonly number[]) => T | string, layers: readonly number[], notes: string[]): T | undefined {
  const file = path.join(dir, name);
  const r = readRecord(file, kind);
  if ('missing' in r) return undefined;
  const v = 'problem' in r ? r.problem.replace(`${file}: `, '') : check(r.value, layers);
  if (typeof v !== 'string') return v;
  notes.push(`damaged: ${name}: ${v} (left out)`);
  return undefined;
}

const stamp = (name: string) => name.replace(/^\d{8}-\d{6}-/, '');

/**
 * A mapping panel's title as a person reads it. A training of a sweep or a
 * comparison (folder names like `…-trannsformer-x64-j003`): its mode,
 * crossbar, preset and seed from the run's record, and the group's name; a
 * stand-alone run: its folder name. Falls back to folder names when the
 * record cannot be read.
 */
export function mappingTitle(dir: string): string {
  const parent = path.basename(path.dirname(dir));
  const group = /-(sweep|compare)$/.exec(parent);
  if (!group) return `Mapping: ${path.basename(dir)}`;
  const where = `${stamp(parent).replace(/-(sweep|compare)$/, '')} ${group[1] === 'sweep' ? 'sweep' : 'comparison'}`;
  const c = okRun(checkRun(readRun(dir)))?.config;
  if (!c) return `Mapping: ${stamp(path.basename(dir))} (${where})`;
  const x = c.transform.crossbar;
  return `Mapping: ${c.transform.mode} ${x}×${x} · ${c.hardware?.preset ?? '?'} · seed ${c.training?.seed ?? '?'} (${where})`;
}

/** Runs of the comparison this run belongs to (none for a stand-alone run), in folder order. */
export function siblingsOf(dir: string): { key: string; mode: string }[] {
  const parent = path.dirname(dir);
  if (!path.basename(parent).endsWith('-compare')) return [];
  return subfolders(parent)
    .reverse()
    .flatMap((d) => {
      const ok = okRun(checkRun(readRun(d)));
      return ok ? [{ key: d, mode: ok.config.transform.mode }] : [];
    });
}

/**
 * The view of one run. `scheme` defaults to the one mapping.json shows;
 * `epoch` picks a connectivity snapshot (undefined: the final network).
 * Throws an Error saying what is missing and where when the run cannot be
 * drawn; a damaged mapping.json or clusters.json is left out with a note
 * naming it.
 */
export function mappingViewOf(dir: string, opts: { scheme?: string; epoch?: number } = {}): MappingView {
  try {
    return viewOf(dir, opts);
  } catch (e) {
    // Every error the panel shows names the run: ours do; anything else (a damage no check foresaw) is wrapped.
    if (e instanceof Error && e.name === 'Error' && e.message.startsWith(dir)) throw e;
    throw new Error(`${dir}: cannot be drawn (${messageOf(e)})`, { cause: e });
  }
}

function viewOf(dir: string, opts: { scheme?: string; epoch?: number }): MappingView {
  const rec = checkRun(readRun(dir));
  const ok = okRun(rec);
  if (!ok) throw new Error(`${dir}: not a readable run folder (${rec.problem ?? 'unknown problem'})`);
  const { result: r, config } = ok;
  const crossbarSize = config.transform.crossbar;
  const mode = config.transform.mode;
  const notes: string[] = [];
  const snapshots = listSnapshots(dir);
  const base = (mapping: MappingFile | undefined) => ({ key: dir, name: r.name, mode, status: r.status, crossbarSize, schemes: mapping ? Object.keys(mapping.schemes) : [], snapshots, siblings: siblingsOf(dir), notes });

  if (opts.epoch !== undefined) {
    const snap = readSnapshot(dir, opts.epoch);
    if (!snap) throw new Error(`${dir}: no connectivity snapshot for epoch ${opts.epoch} (snapshots: ${snapshots.map((s) => s.epoch).join(', ') || 'none'})`);
    if (snap.layers.length === 0) throw new Error(`${dir}: snapshots.tnsr: the epoch ${snap.epoch} snapshot holds no layers`);
    const mapping = readChecked(dir, FILES.mapping, 'mapping', checkMappingFile, r.layers, notes);
    notes.push(`Epoch ${snap.epoch} snapshot (${snap.reasons.join(', ')}): clusters as they stood then; crossbar placements exist only for the final network.`);
    const layers: MappingLayerView[] = snap.layers.map((l) => {
      const clusters = validClusters(l.clusters);
      return {
        rows: l.rows,
        cols: l.cols,
        bits: base64(l.bits),
        synapses: popcount(l.bits),
        clusters,
        permutation: { outputs: groupingOrder(l.rows, clusters.map((c) => c.outputs)), inputs: groupingOrder(l.cols, clusters.map((c) => c.inputs)) },
      };
    });
    return { ...base(mapping), epoch: snap.epoch, layers };
  }

  let model: ReturnType<typeof readModel>;
  try {
    model = readModel(dir);
  } catch (e) {
    throw new Error(`${dir}: the run has no readable weights yet (${(e as Error).message})`, { cause: e });
  }
  const mapping = readChecked(dir, FILES.mapping, 'mapping', checkMappingFile, model.layers, notes);
  const damagedClusters = notes.length;
  const clusters = readChecked(dir, FILES.clusters, 'clusters', checkClustersFile, model.layers, notes);
  if (!clusters && mode !== 'original' && notes.length === damagedClusters) notes.push('clusters.json is missing: no clusters and no cluster order.');
  const schemes = mapping ? Object.keys(mapping.schemes) : [];
  const scheme = opts.scheme && schemes.includes(opts.scheme) ? opts.scheme : (mapping?.shown ?? schemes[0]);
  if (opts.scheme && opts.scheme !== scheme) notes.push(`Scheme "${opts.scheme}" is not in mapping.json; showing "${scheme}".`);
  const placed = scheme ? mapping?.schemes[scheme] : undefined;
  if (!mapping && !notes.some((n) => n.startsWith('damaged: mapping.json'))) notes.push('mapping.json is missing: no crossbar placements.');
  const layers: MappingLayerView[] = model.masks.map((mask, l) => {
    const rows = model.layers[l + 1];
    const cols = model.layers[l];
    const lc = clusters?.layers[l];
    const cl = validClusters(lc?.clusters);
    let crossbars: MappingCrossbarView[] | undefined;
    if (placed?.layers?.[l]) crossbars = placed.layers[l].crossbars.map((c) => ({ rows: c.rows, cols: c.cols, synapses: c.synapses, kind: c.kind }));
    else if (scheme === 'dense') crossbars = denseCrossbars(rows, cols, mask, mapping?.crossbarSize ?? crossbarSize);
    let synapses = 0;
    for (let i = 0; i < mask.length; i++) synapses += mask[i] ? 1 : 0;
    return {
      rows,
      cols,
      bits: base64(packBits(mask)),
      synapses,
      clusters: cl,
      permutation: lc?.permutation ?? { outputs: groupingOrder(rows, cl.map((c) => c.outputs)), inputs: groupingOrder(cols, cl.map((c) => c.inputs)) },
      ...(crossbars ? { crossbars } : {}),
    };
  });
  return { ...base(mapping), scheme, crossbarSize: mapping?.crossbarSize ?? crossbarSize, layers };
}
