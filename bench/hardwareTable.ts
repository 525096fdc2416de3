/**
 * `npm run bench:hardware-table -- --compare DIR`: hardware accuracy of every
 * run of a comparison (modes × training seeds, e.g. `trannsformer compare
 * examples/paper-mnist.trannsformer.json --seeds 1,2,3`) on simulated chips,
 * per preset and crossbar size, every non-ideality of the preset on, over the
 * whole test set. Each (run, preset, size) is appended to a JSON-lines file as
 * it finishes (a stopped bench continues where it was), then the table is
 * written from that file alone: bench/hardware/TABLE.md.
 *
 *   node --import tsx bench/hardwareTable.ts --compare DIR [--presets resparc-45nm,mnsim-130nm]
 *     [--sizes 32,64,128,256] [--chips 5] [--chips-at 256=2] [--seeds 1,2] [--only-table] [--cells FILE] [--table FILE]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateConfig } from '../src/engine/config/validate';
import { loadDataset } from '../src/engine/data/datasets';
import { initBackend } from '../src/engine/model/backend';
import { runConnectivity } from '../src/engine/experiment/evaluate';
import { DEFAULT_LOSS_LIMIT, DEFAULT_SOLVER_TOLERANCE, evaluateChips } from '../src/engine/hardware/chipEvaluation';
import { loadPreset } from '../src/engine/hardware/presets';
import { readRun } from '../src/engine/store/runFolder';
import { mapLayers, schemesFor } from '../src/engine/transform/mapping/network';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

/** One measured cell: a run (mode, seed) on a preset at a size, over chips. */
interface Cell {
  mode: string;
  seed: number;
  preset: string;
  size: number;
  mpes: number;
  software: number;
  perChip: number[];
  arrays: number;
  secondsPerChip: number;
  sweeps: number;
}

const here = path.join(__dirname, 'hardware');
const cellsFile = path.resolve(flag('cells', path.join(here, 'table.jsonl')));

function readCells(): Cell[] {
  if (!fs.existsSync(cellsFile)) return [];
  return fs
    .readFileSync(cellsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l, i) => {
      // A line cut short by a killed bench is measured again.
      try {
        return [JSON.parse(l) as Cell];
      } catch {
        console.warn(`${cellsFile}:${i + 1}: not a whole JSON line; that cell is measured again`);
        return [];
      }
    });
}

async function measure(compareDir: string): Promise<void> {
  const presets = flag('presets', 'resparc-45nm,mnsim-130nm').split(',');
  const sizes = flag('sizes', '32,64,128,256').split(',').map(Number);
  const chips = Number(flag('chips', '5'));
  const chipsAt = new Map(
    flag('chips-at', '')
      .split(',')
      .filter(Boolean)
      .map((s) => s.split('=').map(Number) as [number, number]),
  );
  // --seeds 1,2: only the runs trained with these seeds (a slow preset measured on fewer).
  const onlySeeds = process.argv.includes('--seeds') ? flag('seeds', '').split(',').map(Number) : undefined;
  await initBackend('auto');
  const runs = fs
    .readdirSync(compareDir)
    .map((d) => path.join(compareDir, d))
    .filter((d) => fs.existsSync(path.join(d, 'result.json')))
    .map((d) => ({ d, rec: readRun(d) }))
    .filter(({ rec }) => rec.result?.status === 'completed' && rec.config);
  const done = readCells();
  const has = (mode: string, seed: number, preset: string, size: number) => done.some((c) => c.mode === mode && c.seed === seed && c.preset === preset && c.size === size);
  let data: ReturnType<typeof loadDataset> | undefined;
  // Cheapest first: small sizes of every run before the large ones, so a stopped bench has whole columns.
  for (const size of sizes)
    for (const preset of presets)
      for (const { d, rec } of runs) {
        const config = validateConfig(rec.config).config!;
        const mode = config.transform.mode;
        const seed = config.training.seed;
        if (has(mode, seed, preset, size) || (onlySeeds && !onlySeeds.includes(seed))) continue;
        data ??= loadDataset(config.dataset, d, 1);
        const net = runConnectivity(d);
        const mapping = mapLayers(schemesFor(mode).shown, net.connectivity, size);
        const weights = net.weights.map((w, l) => Float32Array.from(w, (v, i) => (net.masks[l][i] ? v : 0)));
        const n = chipsAt.get(size) ?? chips;
        const p = loadPreset(preset);
        const r = await evaluateChips(net.layers, weights, data, [p], [size], [mapping.layers.map((L) => L.crossbars)], {
          chips: n,
          lossLimit: DEFAULT_LOSS_LIMIT,
          off: [],
          output: config.network.output,
          percentile: config.hardware.percentile,
          tolerance: DEFAULT_SOLVER_TOLERANCE,
          onChip: (_p, _x, chip, acc, sec, part) =>
            console.log(`${mode} s${seed} ${preset} ${size}×${size} chip ${chip}: ${(100 * acc).toFixed(2)}% in ${sec.toFixed(1)} s (chip ${part.build.toFixed(1)} s, forward ${part.forward.toFixed(1)} s)`),
        });
        const h = r.results[0];
        const cell: Cell = { mode, seed, preset, size, mpes: mapping.total, software: r.softwareAccuracy, perChip: h.perChip, arrays: h.arrays, secondsPerChip: h.secondsPerChip, sweeps: h.solverSweeps };
        fs.appendFileSync(cellsFile, `${JSON.stringify(cell)}\n`);
        done.push(cell);
      }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => (xs.length < 2 ? NaN : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pct = (x: number) => (100 * x).toFixed(2);

function writeTable(): void {
  const cells = readCells();
  const modes = ['original', 'pruning', 'trannsformer'].filter((m) => cells.some((c) => c.mode === m));
  const presets = [...new Set(cells.map((c) => c.preset))];
  const sizes = [...new Set(cells.map((c) => c.size))].sort((a, b) => a - b);
  const lines: string[] = [
    '# Hardware accuracy of the paper network on simulated chips',
    '',
    `Written by \`bench/hardwareTable.ts\` from \`bench/hardware/table.jsonl\` (${cells.length} measured cells), ${new Date().toISOString().slice(0, 10)}; machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, Node ${process.version}.`,
    '',
    'Each cell: test accuracy (10,000 MNIST test images) on simulated chips with every non-ideality of the preset on',
    '(quantised conductances, programming variation, read noise, stuck-at faults, IR drop solved exactly, ADC/DAC where the',
    'architecture has them), mean ± sample std over all (training seed, chip) pairs, then min–max, and in brackets the mean',
    'loss against each run\'s own software accuracy (paired by seed). Software accuracy per mode: mean over the seeds.',
    '',
  ];
  for (const preset of presets) {
    lines.push(`## ${preset}`, '', `| mode | software | mPEs at ${sizes.join(' / ')} | ${sizes.map((s) => `${s}×${s}`).join(' | ')} | reliable size (mean loss ≤ ${(100 * DEFAULT_LOSS_LIMIT).toFixed(1)} pt) |`, `|---|---|---|${sizes.map(() => '---|').join('')}---|`);
    for (const mode of modes) {
      const rows = cells.filter((c) => c.mode === mode && c.preset === preset);
      if (!rows.length) continue;
      const soft = [...new Map(rows.map((c) => [c.seed, c.software])).values()];
      const mpes = sizes.map((s) => {
        const m = rows.filter((c) => c.size === s).map((c) => c.mpes);
        return m.length ? String(Math.round(mean(m))) : '—';
      });
      let reliable: number | undefined;
      const cols = sizes.map((s) => {
        const at = rows.filter((c) => c.size === s);
        if (!at.length) return 'not measured';
        const all = at.flatMap((c) => c.perChip);
        const loss = mean(at.map((c) => mean(c.perChip) - c.software));
        if (-loss <= DEFAULT_LOSS_LIMIT + 1e-12) reliable = s;
        const seeds = new Set(at.map((c) => c.seed)).size;
        return `${pct(mean(all))} ± ${Number.isNaN(std(all)) ? '—' : pct(std(all))} (${pct(Math.min(...all))}–${pct(Math.max(...all))}) [${loss >= 0 ? '+' : '−'}${pct(Math.abs(loss))}] ${seeds}×${at[0].perChip.length}`;
      });
      lines.push(`| ${mode} | ${pct(mean(soft))} | ${mpes.join(' / ')} | ${cols.join(' | ')} | ${reliable ? `${reliable}×${reliable}` : 'none measured'} |`);
    }
    const claimed = loadPreset(preset).maxCrossbar;
    lines.push('', `The preset's own claim (maxCrossbar): ${claimed}×${claimed}. "s×c" after each cell: training seeds × chips per seed.`, '');
    const t = cells.filter((c) => c.preset === preset);
    lines.push(`Time per chip (programming, IR-drop solves, 10,000 images): ${sizes.map((s) => { const at = t.filter((c) => c.size === s); return at.length ? `${s}×${s} ${mean(at.map((c) => c.secondsPerChip)).toFixed(1)} s (${Math.round(mean(at.map((c) => c.arrays)))} arrays, ≤ ${Math.max(...at.map((c) => c.sweeps))} sweeps)` : ''; }).filter(Boolean).join('; ')}.`, '');
  }
  fs.writeFileSync(flag('table', path.join(here, 'TABLE.md')), `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  if (!process.argv.includes('--only-table')) await measure(path.resolve(flag('compare', '')));
  writeTable();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
