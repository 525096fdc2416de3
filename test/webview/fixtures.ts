/**
 * Run folders for the webview tests and the benchmark, written by the
 * engine's own store from known answers: planted block matrices (clusters =
 * the planted blocks), mapped with the engine's packed scheme, so the panels
 * draw exactly what a run folder would hold.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunWriter, createRunDir, packBits } from '../../src/engine/store/runFolder';
import { validateConfig } from '../../src/engine/config/validate';
import { mapLayers, type LayerConnectivity } from '../../src/engine/transform/mapping/network';
import { groupingPermutation } from '../../src/engine/transform/results';
import { Rng } from '../../src/engine/core/rng';
import { planted } from '../helpers/planted';

import type { Cluster } from '../../src/engine/transform/cluster/scic';
import type { TransformMode } from '../../src/engine/config/schema';

export interface PlantedLayer {
  blocks: number;
  bRows: number;
  bCols: number;
  density: number;
  noise: number;
  seed: number;
}

/** The planted blocks as clusters (neuron indices ascending), with their measured quality. */
function plantedClusters(p: ReturnType<typeof planted>, blocks: number): Cluster[] {
  const out: Cluster[] = [];
  for (let b = 0; b < blocks; b++) {
    const outputs = Int32Array.from([...p.rowBlock.keys()].filter((r) => p.rowBlock[r] === b));
    const inputs = Int32Array.from([...p.colBlock.keys()].filter((c) => p.colBlock[c] === b));
    let n = 0;
    for (const r of outputs) for (const c of inputs) n += p.m.data[r * p.m.cols + c];
    out.push({ outputs, inputs, quality: n / (outputs.length * inputs.length), valid: true });
  }
  return out;
}

const config = (name: string, mode: TransformMode, layers: number[], crossbar: number) => {
  const v = validateConfig({ name, dataset: { name: 'synthetic', synthetic: { inputSize: layers[0], classes: layers[layers.length - 1] } }, network: { layers }, training: { epochs: 3 }, transform: { mode, crossbar } });
  if (!v.config) throw new Error(`fixture config: ${JSON.stringify(v.problems)}`);
  return v.config;
};

/**
 * A completed trannsformer run whose layers are planted block matrices
 * (layer l maps layers[l] inputs to layers[l+1] outputs), with clusters,
 * mapping.json (every scheme), a snapshot at epoch 1 (before clustering)
 * and epoch 2 (clustered), and three epochs of metrics.
 */
export function plantedRun(root: string, specs: PlantedLayer[], opts: { crossbar?: number; mode?: TransformMode; name?: string } = {}) {
  const x = opts.crossbar ?? 32;
  const mode = opts.mode ?? 'trannsformer';
  const ps = specs.map((s) => planted(s.blocks, s.bRows, s.bCols, s.density, s.noise, s.seed));
  const layers = [ps[0].m.cols, ...ps.map((p) => p.m.rows)];
  for (let l = 1; l < ps.length; l++) if (ps[l].m.cols !== ps[l - 1].m.rows) throw new Error('fixture: layer sizes do not chain');
  const dir = opts.name ? path.join(root, opts.name) : createRunDir(root, mode);
  if (opts.name) fs.mkdirSync(dir, { recursive: true });
  const w = new RunWriter(dir, config(mode, mode, layers, x));
  const clusters = ps.map((p, l) => (mode === 'trannsformer' ? plantedClusters(p, specs[l].blocks) : []));
  const conn: LayerConnectivity[] = ps.map((p, l) => ({ rows: p.m.rows, cols: p.m.cols, map: p.m.data, clusters: clusters[l] }));
  const rng = new Rng(7);
  w.snapshot({ epoch: 1, reasons: ['first'], layers: ps.map((p) => ({ rows: p.m.rows, cols: p.m.cols, bits: packBits(p.m.data.map((v) => (v || rng.next() < 0.3 ? 1 : 0))), clusters: [] })) });
  w.snapshot({
    epoch: 2,
    reasons: ['clustering'],
    layers: ps.map((p, l) => ({ rows: p.m.rows, cols: p.m.cols, bits: packBits(p.m.data), clusters: clusters[l].map((c) => ({ outputs: [...c.outputs], inputs: [...c.inputs], quality: c.quality, valid: true })) })),
  });
  for (let e = 1; e <= 3; e++)
    w.epoch({
      epoch: e,
      trainLoss: 1 / e,
      trainAccuracy: 0.8 + 0.05 * e,
      testLoss: 1.1 / e,
      testAccuracy: 0.82 + 0.04 * e,
      seconds: 1,
      trainSeconds: 1,
      samplesPerSecond: 100,
      keptFraction: ps.map(() => 1 - 0.2 * e),
      transform: { prunedFraction: ps.map(() => 0.2 * e), unclusteredFraction: ps.map(() => 0.3 / e), clusters: clusters.map((c) => c.length), mpes: 20 - e, mapping: 'packed' },
    });
  const schemes = mode === 'original' ? (['dense'] as const) : mode === 'pruning' ? (['dense', 'compact', 'compact-skip', 'packed'] as const) : (['dense', 'compact', 'compact-skip', 'paper', 'packed'] as const);
  const shown = mode === 'original' ? 'dense' : mode === 'pruning' ? 'compact' : 'packed';
  const all = Object.fromEntries(schemes.map((s) => [s, mapLayers(s, conn, x)]));
  w.writeModel(
    ps.flatMap((p, l) => [
      { name: `weights/${l}`, shape: [p.m.rows, p.m.cols], data: Float32Array.from(p.m.data, (v) => v * 0.5) },
      { name: `masks/${l}`, shape: [p.m.rows, p.m.cols], data: p.m.data },
    ]),
  );
  w.writeClusters({
    crossbarSize: x,
    layers: ps.map((p, l) => ({
      outputs: p.m.rows,
      inputs: p.m.cols,
      pruneThreshold: 0.01,
      clusters: clusters[l].map((c) => ({ outputs: [...c.outputs], inputs: [...c.inputs], quality: c.quality, valid: true })),
      permutation: { outputs: groupingPermutation(p.m.rows, clusters[l].map((c) => c.outputs)), inputs: groupingPermutation(p.m.cols, clusters[l].map((c) => c.inputs)) },
    })),
  });
  w.writeMapping({ crossbarSize: x, shown, schemes: Object.fromEntries(Object.entries(all).map(([k, m]) => [k, k === 'dense' ? { ...m, layers: undefined } : m])) });
  const shownMap = all[shown];
  w.finish('completed', {
    mapping: {
      mode,
      crossbarSize: x,
      shown,
      mpes: shownMap.total,
      utilisation: shownMap.utilisation,
      schemes: Object.fromEntries(Object.entries(all).map(([k, m]) => [k, { total: m.total, perLayer: m.perLayer, utilisation: m.utilisation }])),
      clusters: clusters.map((c) => c.length),
      clusteredFraction: clusters.map(() => 0.9),
      keptFraction: ps.map(() => 0.4),
      reductionVsOriginal: 1 - shownMap.total / all.dense.total,
    },
  });
  return { dir, ps, clusters, layers, crossbar: x, mapping: all };
}

/** A completed run record with the numbers the Pareto panel reads (no model: the panel needs none). */
export function designPoint(
  root: string,
  name: string,
  p: { mode: TransformMode; crossbar: number; accuracy: number; mpes: number; area: number; energy: number; layers?: number[]; chips?: { mean: number; std: number; min: number; max: number; chips: number } },
): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const w = new RunWriter(dir, config(p.mode, p.mode, p.layers ?? [64, 32, 10], p.crossbar));
  w.epoch({ epoch: 1, trainLoss: 0.5, trainAccuracy: p.accuracy, testLoss: 0.5, testAccuracy: p.accuracy, seconds: 1, trainSeconds: 1, samplesPerSecond: 1, keptFraction: [1, 1] });
  w.finish('completed', {
    mapping: { mode: p.mode, crossbarSize: p.crossbar, shown: 'packed', mpes: p.mpes, utilisation: 0.5, schemes: {}, clusters: [], clusteredFraction: [], keptFraction: [], reductionVsOriginal: 0 },
    hardware: {
      preset: 'resparc-45nm',
      crossbarSize: p.crossbar,
      snnAccuracy: p.accuracy,
      annAccuracy: p.accuracy,
      images: 10,
      timesteps: 10,
      area_mm2: p.area,
      energy_uJ: p.energy,
      crossbar_uJ: 0,
      neuron_uJ: 0,
      communication_uJ: p.energy,
      ...(p.chips ? { hardwareAccuracy: { ...p.chips, softwareAccuracy: p.accuracy, claimedCrossbar: 64, lossLimit: 0.005 } } : {}),
    },
  });
  return dir;
}
