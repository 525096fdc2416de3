/**
 * `npm run bench:hardware`: what accuracy on simulated crossbars costs.
 * Trains the paper's MNIST network (784-1200-1200-10, ONNX Runtime) for a
 * couple of epochs — enough for a real accuracy; the timings do not depend on
 * it — then times, in the same process:
 *   - software test accuracy over the 10,000 test images: through ONNX
 *     Runtime (the training's evaluation) and through the tfjs path the
 *     hardware accuracy uses;
 *   - hardware accuracy at 64×64 with every non-ideality of the preset on,
 *     per chip (programming, IR-drop solves of every array, the test set);
 *   - the effective matrix of one 256×256 and one 512×512 array.
 * Writes bench/hardware/RESULTS.md.
 *
 *   node --import tsx bench/hardware.ts [--epochs 2] [--chips 3,1] [--presets resparc-45nm,puma-32nm] [--arrays 256,512] [--no-write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigFile } from '../src/engine/config/resolve';
import { loadDataset } from '../src/engine/data/datasets';
import { initBackend } from '../src/engine/model/backend';
import { MaskedMLP } from '../src/engine/model/mlp';
import { OnnxStepper } from '../src/engine/model/onnx/stepper';
import { train } from '../src/engine/train/loop';
import { Rng } from '../src/engine/core/rng';
import { loadPreset } from '../src/engine/hardware/presets';
import { simulatedDevice } from '../src/engine/hardware/device';
import { effectiveMatrix, type IrDropStats } from '../src/engine/hardware/irdrop';
import { accuracyOf, softwarePredictions } from '../src/engine/hardware/hardwareAccuracy';
import { DEFAULT_SOLVER_TOLERANCE, evaluateChips } from '../src/engine/hardware/chipEvaluation';
import { denseMapping } from '../src/engine/transform/mapping/schemes';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}
const seconds = (t0: number) => (performance.now() - t0) / 1000;

async function main(): Promise<void> {
  const epochs = Number(flag('epochs', '2'));
  const presetNames = flag('presets', 'resparc-45nm,puma-32nm').split(',');
  // Chips per preset, in the presets' order (the last repeats): puma's 16 arrays per crossbar make its chips slow.
  const chipList = flag('chips', '3,1').split(',').map(Number);
  const chipsFor = (k: number) => chipList[Math.min(k, chipList.length - 1)];
  const backend = await initBackend('auto');
  const loaded = loadConfigFile(path.join(__dirname, '..', 'examples', 'paper-mnist.trannsformer.json'), [
    { path: ['training', 'epochs'], value: epochs, source: 'bench' },
    { path: ['training', 'workers'], value: 1, source: 'bench' },
  ]);
  const c = loaded.config;
  const data = loadDataset(c.dataset, loaded.baseDir, 1);
  const layers = c.network.layers;
  const model = MaskedMLP.create(c.network, 1);
  const stepper = await OnnxStepper.start(model, c.network, c.training, backend.threads);
  let t0 = performance.now();
  await train({ model, data, network: c.network, training: c.training, stepper });
  const trainSeconds = seconds(t0);
  await stepper.flush?.();
  const weights = model.exportWeights();
  const lines: string[] = [];
  const say = (s: string) => {
    console.log(s);
    lines.push(s);
  };
  say(`trained ${layers.join('-')} for ${epochs} epochs in ${trainSeconds.toFixed(0)} s (${backend.name}; tfjs ${backend.tfjs})`);

  t0 = performance.now();
  const onnx = await stepper.evaluate!(data.test, data.inputSize, 1000);
  const onnxSeconds = seconds(t0);
  t0 = performance.now();
  const soft = accuracyOf(await softwarePredictions(layers, weights, data.test, { output: c.network.output }), data.test.labels);
  const softSeconds = seconds(t0);
  say(`software test accuracy, ${data.test.count} images: ${(100 * onnx.accuracy).toFixed(2)}% in ${onnxSeconds.toFixed(2)} s (the training's evaluation); ${(100 * soft).toFixed(2)}% in ${softSeconds.toFixed(2)} s (the hardware path's forward, ${backend.name === 'onnxruntime' ? 'ONNX Runtime' : `tfjs ${backend.tfjs}`})`);

  const x = 64;
  const mapping = layers.slice(1).map((n, l) => denseMapping(n, layers[l], x).crossbars);
  const rows: string[] = [];
  for (const [k, name] of presetNames.entries()) {
    const p = loadPreset(name);
    const chips = chipsFor(k);
    const perChip: number[] = [];
    const parts = { build: 0, forward: 0 };
    const r = await evaluateChips(layers, weights, data, [p], [x], [mapping], {
      chips,
      lossLimit: 0.005,
      off: [],
      output: c.network.output,
      percentile: c.hardware.percentile,
      tolerance: DEFAULT_SOLVER_TOLERANCE,
      onChip: (_p, _x, seed, acc, sec, part) => {
        perChip.push(sec);
        parts.build += part.build / chips;
        parts.forward += part.forward / chips;
        console.log(`  ${name} chip ${seed}: ${(100 * acc).toFixed(2)}% in ${sec.toFixed(1)} s (chip ${part.build.toFixed(1)} s, forward ${part.forward.toFixed(1)} s)`);
      },
    });
    const h = r.results[0];
    const mean = perChip.reduce((a, b) => a + b, 0) / perChip.length;
    rows.push(
      `| ${name} | ${x}×${x} | ${chips} | ${h.arrays} | ${h.adcBits || '—'} | ${h.dacBits || '—'} | ${(100 * h.accuracy.mean).toFixed(2)}% ± ${h.accuracy.std === undefined ? '—' : (100 * h.accuracy.std).toFixed(2)} (${(100 * h.accuracy.min).toFixed(2)}–${(100 * h.accuracy.max).toFixed(2)}) | ${mean.toFixed(1)} s | ${parts.build.toFixed(1)} s | ${parts.forward.toFixed(1)} s | ${(mean / softSeconds).toFixed(1)}× software | ${(parts.forward / softSeconds).toFixed(1)}× | ${h.solverSweeps} |`,
    );
  }
  say('');
  say(`Hardware accuracy at ${x}×${x}, every non-ideality of the preset on, ${data.test.count} test images (software ${(100 * soft).toFixed(2)}%):`);
  say('');
  say('| preset | crossbar | chips | arrays per chip | ADC bits | DAC bits | accuracy mean ± std (min–max) | time per chip | of which: programming + IR drop | of which: forward | chip ÷ software | forward ÷ software | solver sweeps (worst) |');
  say('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) say(r);

  say('');
  say('Effective matrix of one array (random conductances between the preset\'s G_off and G_on, all rows used, tolerance 1e-6):');
  say('');
  say('| preset | array | seconds | sweeps |');
  say('|---|---|---|---|');
  for (const name of presetNames)
    for (const n of flag('arrays', '256,512').split(',').map(Number)) {
      const p = loadPreset(name);
      const d = simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file);
      const rng = new Rng(n);
      const G = Float64Array.from({ length: n * n }, () => d.gOff + rng.next() * (d.gOn - d.gOff));
      const st: IrDropStats = { sweeps: 0, residual: 0 };
      t0 = performance.now();
      effectiveMatrix(G, n, n, n, d, { tolerance: DEFAULT_SOLVER_TOLERANCE }, st);
      say(`| ${name} | ${n}×${n} | ${seconds(t0).toFixed(2)} | ${st.sweeps} |`);
    }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const head = [
    '# Hardware-accuracy bench',
    '',
    `Command: \`npm run bench:hardware\` (${process.argv.slice(2).join(' ') || 'defaults'}), ${new Date().toISOString().slice(0, 10)}.`,
    `Machine: ${cpu}, ${os.cpus().length} cores (shared with other jobs while this ran), Node ${process.version}.`,
    '',
  ];
  if (!process.argv.includes('--no-write')) fs.writeFileSync(path.join(__dirname, 'hardware', 'RESULTS.md'), [...head, ...lines.map((l) => (l.startsWith('|') || l === '' ? l : `${l}  `)), ''].join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
