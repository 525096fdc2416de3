/**
 * A training checkpoint: everything a run needs to continue exactly where it
 * stopped — weights, momentum velocities and masks as the model holds them,
 * the pruning and clustering state of every layer, the shuffling stream's
 * state and how far into an epoch it got. Dropout seeds are derived from
 * (seed, epoch, batch), so they need no state. A run resumed from a
 * checkpoint takes the same steps as one that never stopped.
 *
 * Encoded as a `.tnsr` file (store/tensorFile.ts): tensors for the arrays,
 * the scalars in its meta. Decoding checks every field: a damaged checkpoint
 * is refused with what is wrong, never half-loaded.
 */
import type { ModelState } from '../model/mlp';
import type { ScheduleState } from '../transform/schedule';
import type { LayerState } from '../transform/steps';
import type { NamedTensor } from '../store/tensorFile';
import type { HardwareView } from './hardwareAware';
import { permutation, Rng } from '../core/rng';

/** The RNG stream the epoch loop shuffles the training set with (a checkpoint's shuffle state is checked against it). */
export const SHUFFLE_STREAM = 0x5f1e;

/**
 * The largest weight or velocity a checkpoint or model may hold. Trained
 * networks hold weights of order 1; a larger one is damage (or a diverged
 * run, which fails before it checkpoints), and a huge one silently ruins the
 * spiking conversion.
 */
export const MAX_WEIGHT = 1e4;

/** Where the epoch loop stands. */
export interface LoopState {
  epochsCompleted: number;
  /** Batches of epoch `epochsCompleted + 1` already taken (0 at an epoch's end). */
  batchesIntoEpoch: number;
  /** The shuffling stream's state at the start of epoch `epochsCompleted + 1`, before its permutation. */
  shuffle: number[];
  /** Running sums of that unfinished epoch. */
  lossSum: number;
  correct: number;
  seen: number;
}

export interface TrainCheckpoint {
  layers: number[];
  loop: LoopState;
  model: ModelState;
  /** Absent for the original mode (no pruning state). */
  schedule?: ScheduleState;
  /** Hardware-aware training: the chip view of the next (or unfinished) epoch, which its batches train through. */
  hardwareView?: HardwareView;
}

interface ClusterMeta {
  inputs: number;
  outputs: number;
  quality: number;
  valid: boolean;
  unsplittable?: boolean;
}
interface LayerMeta {
  rows: number;
  cols: number;
  pruneTh: number;
  innerTh: number;
  clusterPruneFactor: number;
  unclusteredPrev: number;
  unclusteredCurr: number;
  clusters: ClusterMeta[];
}
interface CheckpointMeta {
  kind: 'checkpoint';
  layers: number[];
  loop: LoopState;
  schedule?: { prevTrainLoss: number | null; layers: LayerMeta[] };
  hardwareView?: boolean;
}

export function encodeCheckpoint(cp: TrainCheckpoint): { tensors: NamedTensor[]; meta: Record<string, unknown> } {
  const tensors: NamedTensor[] = [];
  const L = cp.layers;
  for (let l = 0; l + 1 < L.length; l++) {
    const shape = [L[l], L[l + 1]];
    tensors.push({ name: `W/${l}`, shape, data: cp.model.W[l] }, { name: `V/${l}`, shape, data: cp.model.V[l] }, { name: `mask/${l}`, shape, data: cp.model.masks[l] });
  }
  const meta: CheckpointMeta = { kind: 'checkpoint', layers: L, loop: cp.loop };
  if (cp.hardwareView) {
    meta.hardwareView = true;
    cp.hardwareView.irError.forEach((e, l) => {
      const shape = [L[l], L[l + 1]];
      tensors.push({ name: `hwa/irError/${l}`, shape, data: e }, { name: `hwa/cover/${l}`, shape, data: cp.hardwareView!.cover[l] });
    });
  }
  if (cp.schedule) {
    meta.schedule = {
      // JSON has no Infinity: the loss before the first epoch is stored as null.
      prevTrainLoss: Number.isFinite(cp.schedule.prevTrainLoss) ? cp.schedule.prevTrainLoss : null,
      layers: cp.schedule.layers.map((s, l) => {
        const shape = [s.rows, s.cols];
        tensors.push({ name: `pmap/${l}`, shape, data: s.pmap }, { name: `cmap/${l}`, shape, data: s.cmap }, { name: `map/${l}`, shape, data: s.map });
        const members: number[] = [];
        for (const c of s.clusters) members.push(...c.inputs, ...c.outputs);
        tensors.push({ name: `clusters/${l}`, shape: [members.length], data: Int32Array.from(members) });
        return {
          rows: s.rows,
          cols: s.cols,
          pruneTh: s.pruneTh,
          innerTh: s.innerTh,
          clusterPruneFactor: s.clusterPruneFactor,
          unclusteredPrev: s.unclusteredPrev,
          unclusteredCurr: s.unclusteredCurr,
          clusters: s.clusters.map((c) => ({ inputs: c.inputs.length, outputs: c.outputs.length, quality: c.quality, valid: c.valid, ...(c.unsplittable ? { unsplittable: true } : {}) })),
        };
      }),
    };
  }
  return { tensors, meta: meta as unknown as Record<string, unknown> };
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * A checkpoint from a decoded `.tnsr`, checked against the network it must
 * continue (`layers`). Throws an Error saying what is wrong.
 */
export function decodeCheckpoint(tensors: Map<string, NamedTensor>, metaRaw: Record<string, unknown>, layers: number[], withSchedule: boolean): TrainCheckpoint {
  const meta = metaRaw as Partial<CheckpointMeta>;
  if (meta.kind !== 'checkpoint') throw new Error('not a training checkpoint');
  if (!Array.isArray(meta.layers) || meta.layers.join(',') !== layers.join(',')) throw new Error(`its network [${String(meta.layers)}] is not the run's [${layers.join(', ')}]`);
  const loop = meta.loop;
  if (
    !loop ||
    !isCount(loop.epochsCompleted) ||
    !isCount(loop.batchesIntoEpoch) ||
    !Array.isArray(loop.shuffle) ||
    loop.shuffle.length !== 4 ||
    !loop.shuffle.every((w) => Number.isInteger(w)) ||
    !isNum(loop.lossSum) ||
    !isCount(loop.correct) ||
    !isCount(loop.seen)
  )
    throw new Error('its loop state is damaged');
  const get = (name: string, kind: 'float32' | 'uint8' | 'int32', size: number) => {
    const t = tensors.get(name);
    const ok = t && (kind === 'float32' ? t.data instanceof Float32Array : kind === 'int32' ? t.data instanceof Int32Array : t.data instanceof Uint8Array);
    if (!t || !ok || t.data.length !== size) throw new Error(`tensor ${name} is missing or has the wrong type or size`);
    return t.data;
  };
  const model: ModelState = { W: [], V: [], masks: [] };
  for (let l = 0; l + 1 < layers.length; l++) {
    const n = layers[l] * layers[l + 1];
    const W = get(`W/${l}`, 'float32', n) as Float32Array;
    const V = get(`V/${l}`, 'float32', n) as Float32Array;
    for (let i = 0; i < n; i++) if (!Number.isFinite(W[i]) || !Number.isFinite(V[i])) throw new Error(`layer ${l + 1} holds non-finite weights or velocities`);
    for (let i = 0; i < n; i++) if (Math.abs(W[i]) > MAX_WEIGHT || Math.abs(V[i]) > MAX_WEIGHT) throw new Error(`layer ${l + 1} holds a weight or velocity of ${Math.abs(W[i]) > MAX_WEIGHT ? W[i] : V[i]} (at ${i}), beyond ±${MAX_WEIGHT}`);
    const mask = get(`mask/${l}`, 'uint8', n) as Uint8Array;
    if (mask.some((v) => v > 1)) throw new Error(`mask/${l} holds values other than 0 and 1`);
    model.W.push(W);
    model.V.push(V);
    model.masks.push(mask);
  }
  let hardwareView: HardwareView | undefined;
  if (meta.hardwareView === true) {
    hardwareView = { irError: [], cover: [] };
    for (let l = 0; l + 1 < layers.length; l++) {
      const n = layers[l] * layers[l + 1];
      const e = get(`hwa/irError/${l}`, 'float32', n) as Float32Array;
      // An IR error is a fraction of a weight: a larger one is damage.
      for (let i = 0; i < n; i++) if (!Number.isFinite(e[i]) || Math.abs(e[i]) > MAX_WEIGHT) throw new Error(`hwa/irError/${l} holds ${e[i]} at ${i}`);
      const c = get(`hwa/cover/${l}`, 'uint8', n) as Uint8Array;
      if (c.some((v) => v > 1)) throw new Error(`hwa/cover/${l} holds values other than 0 and 1`);
      hardwareView.irError.push(e);
      hardwareView.cover.push(c);
    }
  }
  const hw = hardwareView ? { hardwareView } : {};
  if (!withSchedule) return { layers, loop, model, ...hw };
  const sm = meta.schedule;
  if (!sm || !Array.isArray(sm.layers) || sm.layers.length !== layers.length - 1 || !(sm.prevTrainLoss === null || isNum(sm.prevTrainLoss)))
    throw new Error('its pruning and clustering state is missing or damaged');
  const states: LayerState[] = sm.layers.map((m, l) => {
    const rows = layers[l + 1];
    const cols = layers[l];
    if (m.rows !== rows || m.cols !== cols || ![m.pruneTh, m.innerTh, m.clusterPruneFactor, m.unclusteredPrev, m.unclusteredCurr].every(isNum) || !Array.isArray(m.clusters))
      throw new Error(`the pruning state of layer ${l + 1} is damaged`);
    const members = get(`clusters/${l}`, 'int32', m.clusters.reduce((a, c) => a + (isCount(c?.inputs) ? c.inputs : NaN) + (isCount(c?.outputs) ? c.outputs : NaN), 0)) as Int32Array;
    let at = 0;
    const clusters = m.clusters.map((c) => {
      const inputs = members.slice(at, at + c.inputs);
      const outputs = members.slice(at + c.inputs, at + c.inputs + c.outputs);
      at += c.inputs + c.outputs;
      if (!inputs.every((i) => i >= 0 && i < cols) || !outputs.every((o) => o >= 0 && o < rows) || !isNum(c.quality) || typeof c.valid !== 'boolean')
        throw new Error(`a cluster of layer ${l + 1} is damaged`);
      return { inputs, outputs, quality: c.quality, valid: c.valid, ...(c.unsplittable ? { unsplittable: true } : {}) };
    });
    const bin = (name: string) => {
      const d = get(`${name}/${l}`, 'uint8', rows * cols) as Uint8Array;
      if (d.some((v) => v > 1)) throw new Error(`${name}/${l} holds values other than 0 and 1`);
      return d;
    };
    return {
      rows,
      cols,
      pruneTh: m.pruneTh,
      innerTh: m.innerTh,
      pmap: bin('pmap'),
      cmap: bin('cmap'),
      map: bin('map'),
      clusters,
      clusterPruneFactor: m.clusterPruneFactor,
      unclusteredPrev: m.unclusteredPrev,
      unclusteredCurr: m.unclusteredCurr,
    };
  });
  return { layers, loop, model, schedule: { prevTrainLoss: sm.prevTrainLoss ?? Infinity, layers: states }, ...hw };
}

/**
 * Whether a checkpoint's loop state is one the run could have reached
 * (throws an Error saying which field is not): epochs within the run's,
 * the batch position within its epoch and the running sums matching it,
 * and the shuffling stream exactly where `seed` leaves it after that many
 * epochs of `trainCount` images (when the count is known).
 */
export function checkLoopState(loop: LoopState, training: { epochs: number; batchSize: number; seed: number }, trainCount?: number): void {
  const { epochsCompleted: e, batchesIntoEpoch: b, seen, correct, lossSum } = loop;
  const B = training.batchSize;
  if (e > training.epochs) throw new Error(`it has ${e} epochs completed, more than the run's ${training.epochs}`);
  if (e === training.epochs && b !== 0) throw new Error(`it is ${b} batches into epoch ${e + 1} of a ${training.epochs}-epoch run`);
  const batches = trainCount !== undefined ? Math.ceil(trainCount / B) : undefined;
  if (batches !== undefined && b >= batches) throw new Error(`it is ${b} batches into an epoch of ${batches}`);
  if (seen !== b * B) throw new Error(`it saw ${seen} images in ${b} batches of ${B}`);
  if (correct > seen) throw new Error(`it counts ${correct} correct of ${seen} images seen`);
  if (lossSum < 0 || (b === 0 && lossSum !== 0)) throw new Error(`its running loss ${lossSum} does not fit ${b} batches`);
  if (loop.shuffle.every((w) => w === 0)) throw new Error('its shuffling state is all zero');
  if (trainCount === undefined) return;
  const rng = new Rng(training.seed, SHUFFLE_STREAM);
  for (let k = 0; k < e; k++) permutation(trainCount, rng);
  const want = rng.state();
  if (!want.every((w, i) => (w | 0) === (loop.shuffle[i] | 0))) throw new Error(`its shuffling state is not where seed ${training.seed} leaves it after ${e} epochs`);
}
