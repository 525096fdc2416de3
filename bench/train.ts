/**
 * `npm run bench:train`: training throughput of the paper's MNIST network
 * (784-1200-1200-10, batch 400) on the active backend, in one thread and in
 * data-parallel threads. Real MNIST images; effective GFLOP/s counts the
 * multiply-adds of the forward pass, the weight gradients and the input
 * gradients of every layer but the first.
 *
 *   node dist/bench-train.js [--layers 784,1200,1200,10] [--batch 400] [--batches 30] [--workers 1,2] [--backend wasm]
 */
import * as os from 'node:os';
import { validateConfig } from '../src/engine/config/validate';
import { loadDataset } from '../src/engine/data/datasets';
import { initBackend } from '../src/engine/model/backend';
import { MaskedMLP } from '../src/engine/model/mlp';
import { ParallelStepper } from '../src/engine/train/parallel/stepper';
import { fillBatch, localStepper, type Stepper } from '../src/engine/train/loop';
import { permutation, Rng } from '../src/engine/core/rng';
import type { BackendName } from '../src/engine/config/schema';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

/** FLOPs of one training sample: 2 per multiply-add. */
export function trainFlopsPerSample(layers: number[]): number {
  let macs = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const m = layers[l] * layers[l + 1];
    macs += m /* forward */ + m /* weight gradient */ + (l > 0 ? m : 0) /* input gradient */;
  }
  return 2 * macs;
}

async function main(): Promise<void> {
  const layers = flag('layers', '784,1200,1200,10').split(',').map(Number);
  const batch = Number(flag('batch', '400'));
  const batches = Number(flag('batches', '30'));
  const workerCounts = flag('workers', '1,2').split(',').map(Number);
  const backendName = flag('backend', 'wasm') as BackendName;
  const { config, problems } = validateConfig({
    name: 'bench',
    dataset: { name: 'mnist' },
    network: { layers },
    training: { epochs: 1, batchSize: batch },
    backend: backendName,
  });
  if (!config) throw new Error(problems.map((p) => p.message).join('; '));
  const backend = await initBackend(config.backend);
  const data = loadDataset(config.dataset, '.', 1);
  const flops = trainFlopsPerSample(layers);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, node ${process.version}`);
  console.log(`backend: ${backend.name} (${backend.detail})`);
  console.log(`network ${layers.join('-')}, batch ${batch}, ${(flops / 1e6).toFixed(2)} MFLOP per training sample, ${batches} timed batches after 3 warm-up`);
  const order = permutation(data.train.count, new Rng(1));
  const x = new Float32Array(batch * data.inputSize);
  const y = new Int32Array(batch);
  for (const workers of workerCounts) {
    const model = MaskedMLP.create(config.network, 1);
    let stepper: Stepper = localStepper(model, config.network, config.training, data.inputSize);
    let pool: ParallelStepper | undefined;
    if (workers > 1) stepper = pool = await ParallelStepper.start(model, config, backend.name, workers);
    const run = async (b: number) => {
      fillBatch(data.train, data.inputSize, order, (b * batch) % (data.train.count - batch), batch, x, y);
      await stepper.step(x, y, batch, b);
    };
    for (let b = 0; b < 3; b++) await run(b);
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) await run(b + 3);
    const seconds = (performance.now() - t0) / 1000;
    const sps = (batches * batch) / seconds;
    console.log(
      `threads ${workers}: ${sps.toFixed(0)} samples/s, ${((sps * flops) / 1e9).toFixed(1)} GFLOP/s effective, ` +
        `${(12000 / sps).toFixed(2)} s per 12,000 images, epoch of ${data.train.count}: ${(data.train.count / sps).toFixed(1)} s`,
    );
    await pool?.close();
    model.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
