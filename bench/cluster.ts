/**
 * `npm run bench:cluster`: SCIC time per layer on planted block matrices and
 * on real pruned layers — the paper's MNIST network trained briefly with
 * magnitude pruning pushed to a target density (784×1200 and 1200×1200 at 10,
 * 20 and 30%) — for crossbar sizes 32, 64 and 128. Target: under one second
 * per layer.
 *
 *   node dist/bench-cluster.js [--sizes 32,64,128] [--densities 0.1,0.2,0.3] [--epochs 2]
 */
import * as os from 'node:os';
import { scic } from '../src/engine/transform/cluster/scic';
import { Rng } from '../src/engine/core/rng';
import type { BinaryMatrix } from '../src/engine/core/sparse';
import { validateConfig } from '../src/engine/config/validate';
import { initBackend } from '../src/engine/model/backend';
import { loadDataset } from '../src/engine/data/datasets';
import { MaskedMLP } from '../src/engine/model/mlp';
import { train } from '../src/engine/train/loop';
import { compactMapping } from '../src/engine/transform/mapping/schemes';
import { packedMapping } from '../src/engine/transform/mapping/packed';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

function planted(rows: number, cols: number, blocks: number, density: number, noise: number, seed: number): BinaryMatrix {
  const rng = new Rng(seed);
  const pr = rng.shuffle(Array.from({ length: rows }, (_, i) => i));
  const pc = rng.shuffle(Array.from({ length: cols }, (_, i) => i));
  const data = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      if (rng.next() < (Math.floor((r * blocks) / rows) === Math.floor((c * blocks) / cols) ? density : noise)) data[pr[r] * cols + pc[c]] = 1;
  return { rows, cols, data };
}

/** Keep the `density` fraction of largest-magnitude weights of a [rows, cols] matrix. */
function topMagnitude(w: Float32Array, rows: number, cols: number, density: number): BinaryMatrix {
  const mags = Float32Array.from(w, Math.abs).sort();
  const th = mags[Math.floor((1 - density) * (mags.length - 1))];
  return { rows, cols, data: Uint8Array.from(w, (v) => (Math.abs(v) >= th ? 1 : 0)) };
}

function time(name: string, m: BinaryMatrix, x: number): void {
  const t0 = performance.now();
  const clusters = scic(m, x, { k: 5, quality: 0.7, seed: 1, sizeRule: 'fit' });
  const ms = performance.now() - t0;
  const ones = m.data.reduce((a, b) => a + b, 0);
  let inside = 0;
  for (const c of clusters) inside += c.inputs.length * c.outputs.length * c.quality;
  const t1 = performance.now();
  const packed = packedMapping(m, clusters, x);
  const mapMs = performance.now() - t1;
  console.log(
    `${name.padEnd(34)} x=${String(x).padStart(3)}  SCIC ${ms.toFixed(0).padStart(5)} ms  ${String(clusters.length).padStart(4)} clusters  ` +
      `${((100 * inside) / ones).toFixed(0).padStart(3)}% of synapses clustered  packed ${packed.count} (${packed.taken}) vs compact ${compactMapping(m, x).count} mPEs, mapping ${mapMs.toFixed(0)} ms`,
  );
}

async function main(): Promise<void> {
  const sizes = flag('sizes', '32,64,128').split(',').map(Number);
  const densities = flag('densities', '0.1,0.2,0.3').split(',').map(Number);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, node ${process.version}`);
  for (const x of sizes) time(`planted 1200×1200, 19 blocks, 0.9/0.02`, planted(1200, 1200, 19, 0.9, 0.02, 1), x);
  // Real layers: the paper network after a short training on MNIST.
  const { config } = validateConfig({ dataset: { name: 'mnist' }, network: { layers: [784, 1200, 1200, 10] }, training: { epochs: Number(flag('epochs', '2')), workers: 2 }, backend: 'wasm' });
  await initBackend('wasm');
  const data = loadDataset(config!.dataset, '.', 1);
  const model = MaskedMLP.create(config!.network, 1);
  await train({ model, data, network: config!.network, training: config!.training });
  const w = model.exportWeights();
  for (const d of densities)
    for (const x of sizes) {
      time(`MNIST layer 1 (1200×784) at ${d * 100}%`, topMagnitude(w[0], 1200, 784, d), x);
      time(`MNIST layer 2 (1200×1200) at ${d * 100}%`, topMagnitude(w[1], 1200, 1200, d), x);
    }
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
