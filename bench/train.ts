/**
 * `npm run bench:train`: training throughput of the paper's MNIST network
 * (784-1200-1200-10, batch 400, dropout 0.5 as in the paper's recipe) on
 * every available backend, side by side, on one thread and on all cores.
 * Real MNIST images. Effective GFLOP/s counts the multiply-adds of the
 * forward pass, the weight gradients and the input gradients of every layer
 * but the first (12.48 MFLOP per training sample for the paper network).
 *
 * Each (backend, threads) case runs in its own process, so that its peak
 * resident memory is its own and each tfjs backend can be initialised:
 *   onnx        ONNX Runtime, `threads` intra-op threads
 *   wasm, node  tfjs; 1 thread in process, more as data-parallel worker threads
 *   cpu         pure-JS tfjs (about fifty times slower; only when named)
 *
 *   node dist/bench-train.js [--backends onnx,wasm,node] [--threads 1,<cores>]
 *                            [--layers 784,1200,1200,10] [--batch 400] [--batches 30] [--dropout 0.5]
 */
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { validateConfig } from '../src/engine/config/validate';
import { loadDataset } from '../src/engine/data/datasets';
import { initBackend } from '../src/engine/model/backend';
import { MaskedMLP } from '../src/engine/model/mlp';
import { ParallelStepper } from '../src/engine/train/parallel/stepper';
import { OnnxStepper } from '../src/engine/model/onnx/stepper';
import { fillBatch, localStepper, type Stepper } from '../src/engine/train/loop';
import { permutation, Rng } from '../src/engine/core/rng';
import { BACKENDS, type BackendName } from '../src/engine/config/schema';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

function positiveInts(name: string, dflt: string): number[] {
  const v = flag(name, dflt)
    .split(',')
    .map((s) => Number(s.trim()));
  if (!v.length || v.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${name}: expected positive whole numbers separated by commas, got "${flag(name, dflt)}"`);
  return v;
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

interface CaseResult {
  backend: string;
  threads: number;
  /** What actually ran (training backend name and detail). */
  ran?: string;
  samplesPerSecond?: number;
  gflops?: number;
  secondsPer12k?: number;
  epochSeconds?: number;
  peakRssMiB?: number;
  /** Why the case could not run. */
  skipped?: string;
}

const CORES = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;

/** One case, in this process: prints its result as a JSON line. */
async function child(): Promise<void> {
  const layers = positiveInts('layers', '784,1200,1200,10');
  const batch = positiveInts('batch', '400')[0];
  const batches = positiveInts('batches', '30')[0];
  const threads = positiveInts('threads', '1')[0];
  const dropout = Number(flag('dropout', '0.5'));
  const backendName = flag('backend', 'onnx') as BackendName;
  const result: CaseResult = { backend: backendName, threads };
  const { config, problems } = validateConfig({
    name: 'bench',
    dataset: { name: 'mnist' },
    network: { layers, dropout },
    training: { epochs: 1, batchSize: batch, workers: threads },
    backend: backendName,
  });
  if (!config) throw new Error(problems.map((p) => p.message).join('; '));
  let backend;
  try {
    backend = await initBackend(config.backend);
  } catch (e) {
    result.skipped = (e as Error).message;
    console.log(JSON.stringify(result));
    return;
  }
  const data = loadDataset(config.dataset, '.', 1);
  const model = MaskedMLP.create(config.network, 1);
  let stepper: Stepper;
  let close: () => Promise<void> = async () => {};
  if (backend.name === 'onnxruntime') {
    const s = await OnnxStepper.start(model, config.network, config.training, threads);
    stepper = s;
    close = () => s.close();
    result.ran = `onnxruntime, ${threads} intra-op thread${threads > 1 ? 's' : ''}`;
  } else if (threads > 1) {
    const pool = await ParallelStepper.start(model, config, backend.tfjs, threads);
    stepper = pool;
    close = () => pool.close();
    result.ran = `tfjs ${backend.name}, ${threads} data-parallel threads`;
  } else {
    stepper = localStepper(model, config.network, config.training, data.inputSize);
    result.ran = `tfjs ${backend.name}, 1 thread`;
  }
  const order = permutation(data.train.count, new Rng(1));
  const x = new Float32Array(batch * data.inputSize);
  const y = new Int32Array(batch);
  const run = async (b: number) => {
    fillBatch(data.train, data.inputSize, order, (b * batch) % (data.train.count - batch), batch, x, y);
    await stepper.step(x, y, batch, b);
  };
  for (let b = 0; b < 3; b++) await run(b);
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) await run(b + 3);
  const seconds = (performance.now() - t0) / 1000;
  await close();
  model.dispose();
  const sps = (batches * batch) / seconds;
  result.samplesPerSecond = sps;
  result.gflops = (sps * trainFlopsPerSample(layers)) / 1e9;
  result.secondsPer12k = 12000 / sps;
  result.epochSeconds = data.train.count / sps;
  result.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(result));
}

/** Every case in a child process of its own; a table at the end. */
function parent(): void {
  const backends = flag('backends', 'onnx,wasm,node').split(',').map((s) => s.trim());
  for (const b of backends)
    if (!(BACKENDS as readonly string[]).includes(b) || b === 'auto') throw new Error(`--backends: "${b}" is not one of ${BACKENDS.filter((n) => n !== 'auto').join(', ')}`);
  const threadCounts = [...new Set(positiveInts('threads', `1,${CORES}`))];
  const layers = positiveInts('layers', '784,1200,1200,10');
  const batch = positiveInts('batch', '400')[0];
  const batches = positiveInts('batches', '30')[0];
  const passOn = ['layers', 'batch', 'batches', 'dropout'].flatMap((f) => (process.argv.includes(`--${f}`) ? [`--${f}`, flag(f, '')] : []));
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, node ${process.version}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log(
    `network ${layers.join('-')}, batch ${batch}, dropout ${flag('dropout', '0.5')}, ${(trainFlopsPerSample(layers) / 1e6).toFixed(2)} MFLOP per training sample, ` +
      `${batches} timed batches after 3 warm-up; one process per case`,
  );
  const results: CaseResult[] = [];
  for (const backend of backends)
    for (const threads of threadCounts) {
      const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', '--backend', backend, '--threads', String(threads), ...passOn], {
        encoding: 'utf8',
        timeout: 600_000,
        maxBuffer: 16 << 20,
      });
      const line = r.stdout
        ?.trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (r.status !== 0 || !line) {
        const why = r.error?.message ?? (r.stderr || '').trim().split('\n').slice(-3).join(' | ');
        results.push({ backend, threads, skipped: `failed (exit ${r.status ?? r.signal}): ${why}` });
      } else results.push(JSON.parse(line) as CaseResult);
      const last = results[results.length - 1];
      process.stderr.write(`  ${backend} × ${threads}: ${last.skipped ?? `${last.secondsPer12k!.toFixed(2)} s per 12,000 images`}\n`);
    }
  const rows = [['backend', 'threads', 'what ran', 'samples/s', 'GFLOP/s', 's / 12,000 img', 'epoch of 60,000 (s)', 'peak RSS (MiB)']];
  for (const r of results)
    rows.push(
      r.skipped
        ? [r.backend, String(r.threads), `not available: ${r.skipped}`, '', '', '', '', '']
        : [r.backend, String(r.threads), r.ran!, r.samplesPerSecond!.toFixed(0), r.gflops!.toFixed(1), r.secondsPer12k!.toFixed(2), r.epochSeconds!.toFixed(1), r.peakRssMiB!.toFixed(0)],
    );
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => (row[2] && row[2].startsWith('not available') && c === 2 ? 0 : row[c].length))));
  for (const row of rows) console.log(row.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

if (process.argv.includes('--child'))
  child().catch((e) => {
    console.error(e);
    process.exit(1);
  });
else {
  try {
    parent();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
