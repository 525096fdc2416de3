/**
 * `npm run bench:hardware-levers -- --runs DIR[,DIR…]`: what each lever of
 * issue 23 buys on simulated chips. DIRs are compare folders (modes × training
 * seeds) trained plain or with `transform.hardwareAwareFrom`; every completed
 * run is measured on chips at each size (a TraNNsformer run, and a
 * hardware-aware one, only at the size it was trained for), twice: in the
 * mapping's order and with IR-aware placement, each with fault-aware
 * remapping measured with and without on the same chips (and, with
 * `--spares S`, remapping onto S spare lines). Each (run, size, placement,
 * spares) is appended to a JSON-lines file as it finishes (a stopped bench
 * continues where it was); the table is written from that file alone.
 *
 *   node --import tsx bench/hardwareLevers.ts --runs DIR,DIR [--sizes 256,512] [--chips 5] [--preset resparc-45nm]
 *     [--spares 0] [--modes original,trannsformer] [--placements none,ir-aware] [--only-table] [--cells FILE] [--table FILE]
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

/** One measured cell: a run on the preset at a size, one placement, over chips, with and without remapping. */
interface Cell {
  network: string;
  mode: string;
  seed: number;
  training: 'plain' | 'hardware-aware';
  hardwareAwareFrom: number;
  size: number;
  placement: 'none' | 'ir-aware';
  spares: number;
  mpes: number;
  software: number;
  /** Per chip: without remapping, and with. */
  without: number[];
  remapped: number[];
  secondsPerChip: number;
  spareAreaFraction?: number;
  irErrorBefore?: number;
  irErrorAfter?: number;
}

const here = path.join(__dirname, 'accuracy');
const cellsFile = path.resolve(flag('cells', path.join(here, 'levers.jsonl')));
const preset = flag('preset', 'resparc-45nm');

/** The software accuracy of a plain original run: the reference every loss is taken against. */
interface Reference {
  kind: 'reference';
  network: string;
  seed: number;
  software: number;
}

function readLines(): (Cell | Reference)[] {
  if (!fs.existsSync(cellsFile)) return [];
  return fs
    .readFileSync(cellsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l, i) => {
      try {
        return [JSON.parse(l) as Cell | Reference];
      } catch {
        console.warn(`${cellsFile}:${i + 1}: not a whole JSON line; that cell is measured again`);
        return [];
      }
    });
}
const readCells = (): Cell[] => readLines().filter((c): c is Cell => !('kind' in c));
const readReferences = (): Reference[] => readLines().filter((c): c is Reference => 'kind' in c && c.kind === 'reference');

async function measure(dirs: string[]): Promise<void> {
  const sizes = flag('sizes', '256,512').split(',').map(Number);
  const chips = Number(flag('chips', '5'));
  const spares = Number(flag('spares', '0'));
  const modes = flag('modes', 'original,pruning,trannsformer').split(',');
  const placements = flag('placements', 'none,ir-aware').split(',') as ('none' | 'ir-aware')[];
  await initBackend('auto');
  const runs = dirs
    .flatMap((c) => fs.readdirSync(c).map((d) => path.join(c, d)))
    .filter((d) => fs.existsSync(path.join(d, 'result.json')))
    .map((d) => ({ d, rec: readRun(d) }))
    .filter(({ rec }) => rec.result?.status === 'completed' && rec.config);
  const done = readCells();
  // The original networks' software accuracy (their final test accuracy), whether or not they are measured on chips.
  const refs = readReferences();
  for (const { rec } of runs) {
    const c = validateConfig(rec.config).config!;
    const network = c.network.layers.join('-');
    const acc = rec.result?.final?.testAccuracy;
    if (c.transform.mode !== 'original' || c.transform.hardwareAwareFrom || acc === undefined || refs.some((r) => r.network === network && r.seed === c.training.seed)) continue;
    const ref: Reference = { kind: 'reference', network, seed: c.training.seed, software: acc };
    fs.appendFileSync(cellsFile, `${JSON.stringify(ref)}\n`);
    refs.push(ref);
  }
  let data: ReturnType<typeof loadDataset> | undefined;
  const p = loadPreset(preset);
  // Smaller sizes first: a stopped bench has whole columns.
  for (const size of sizes)
    for (const placement of placements)
      for (const { d, rec } of runs) {
        const config = validateConfig(rec.config).config!;
        const mode = config.transform.mode;
        const seed = config.training.seed;
        if (!modes.includes(mode)) continue;
        const from = config.transform.hardwareAwareFrom;
        const training = from ? 'hardware-aware' : 'plain';
        // Clusters, and a hardware-aware run's chip view, belong to the size trained for.
        if ((mode === 'trannsformer' || from) && config.transform.crossbar !== size) continue;
        const network = config.network.layers.join('-');
        if (done.some((c) => c.network === network && c.mode === mode && c.seed === seed && c.training === training && c.size === size && c.placement === placement && c.spares === spares)) continue;
        data ??= loadDataset(config.dataset, d, 1);
        const net = runConnectivity(d);
        const mapping = mapLayers(schemesFor(mode).shown, net.connectivity, size);
        const weights = net.weights.map((w, l) => Float32Array.from(w, (v, i) => (net.masks[l][i] ? v : 0)));
        const r = await evaluateChips(net.layers, weights, data, [p], [size], [mapping.layers.map((L) => L.crossbars)], {
          chips,
          lossLimit: DEFAULT_LOSS_LIMIT,
          off: [],
          output: config.network.output,
          percentile: config.hardware.percentile,
          tolerance: DEFAULT_SOLVER_TOLERANCE,
          remap: 'faults',
          ...(spares ? { spares } : {}),
          ...(placement === 'ir-aware' ? { placement } : {}),
          onChip: (_p, _x, chip, acc, sec) => console.log(`${network} ${mode} s${seed} ${training} ${size}×${size} ${placement}${spares ? ` +${spares} spares` : ''} chip ${chip}: ${(100 * acc).toFixed(2)}% in ${sec.toFixed(1)} s`),
        });
        const h = r.results[0];
        const cell: Cell = {
          network,
          mode,
          seed,
          training,
          hardwareAwareFrom: from,
          size,
          placement,
          spares,
          mpes: mapping.total,
          software: r.softwareAccuracy,
          without: h.remap!.perChipWithout,
          remapped: h.perChip,
          secondsPerChip: h.secondsPerChip,
          ...(h.spareAreaFraction !== undefined ? { spareAreaFraction: h.spareAreaFraction } : {}),
          ...(h.placement ? { irErrorBefore: h.placement.errorBefore, irErrorAfter: h.placement.errorAfter } : {}),
        };
        fs.appendFileSync(cellsFile, `${JSON.stringify(cell)}\n`);
        done.push(cell);
      }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => (xs.length < 2 ? NaN : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pt = (x: number) => (100 * x).toFixed(2);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${pt(Math.abs(x))}`;

/** A lever's effect: paired differences (per seed and chip), mean ± std, and a verdict against their spread. */
function effect(diffs: number[]): string {
  if (!diffs.length) return '—';
  const m = mean(diffs);
  const s = std(diffs);
  const se = Number.isNaN(s) ? Infinity : s / Math.sqrt(diffs.length);
  const verdict = Math.abs(m) <= 2 * se ? 'no measurable effect' : m > 0 ? 'gain' : 'loss';
  return `${signed(m)} ± ${Number.isNaN(s) ? '—' : pt(s)} (${verdict})`;
}

function writeTable(): void {
  const cells = readCells();
  const networks = [...new Set(cells.map((c) => c.network))];
  const modes = ['original', 'pruning', 'trannsformer'];
  const lines: string[] = [
    '# The hardware levers of issue 23, measured',
    '',
    `Written by \`bench/hardwareLevers.ts\` from \`bench/accuracy/levers.jsonl\` (${cells.length} measured cells), ${new Date().toISOString().slice(0, 10)}; machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, Node ${process.version}; preset ${preset}, every non-ideality on.`,
    '',
    'Hardware accuracy: 10,000 MNIST test images on simulated chips, mean ± sample std over (training seed, chip) pairs,',
    'in brackets the mean loss against the original network\'s software accuracy (mean over its seeds). Lever effects:',
    'paired differences on the same chips (placement, remapping) or the same chip seeds (hardware-aware training against',
    'plain training of the same seed), mean ± std; "no measurable effect" when the mean is within two standard errors.',
    '',
    'How it was made: the trainings by `trannsformer compare bench/accuracy/levers/<config> --seeds 1,2,3 --modes … --backend onnx`',
    '(quick-256-plain: original and trannsformer; quick-512-plain and quick-256-hwa: trannsformer; quick-512-hwa: original and',
    'trannsformer), then `npm run bench:hardware-levers -- --runs <compare folders> --chips 2 --sizes <size> --placements <none|ir-aware>',
    '--modes <mode>` (and `--spares 2`) per column; a TraNNsformer or hardware-aware run is measured only at the size it was trained for.',
    '',
  ];
  for (const network of networks) {
    const net = cells.filter((c) => c.network === network);
    const refs = readReferences().filter((r) => r.network === network);
    const origSoft = mean(refs.map((r) => r.software));
    lines.push(`## ${network} (the original network's software accuracy: ${refs.length ? `${pt(origSoft)}%, ${refs.length} seeds, ${pt(Math.min(...refs.map((r) => r.software)))}–${pt(Math.max(...refs.map((r) => r.software)))}` : 'not measured'})`, '');
    for (const size of [...new Set(net.map((c) => c.size))].sort((a, b) => a - b)) {
      lines.push(
        `### ${size}×${size}`,
        '',
        '| mode | training | software | mPEs | none | + placement | + remap | + placement + remap | placement effect | remap effect | hardware-aware effect (no placement, no remap) |',
        '|---|---|---|---|---|---|---|---|---|---|---|',
      );
      for (const mode of modes)
        for (const training of ['plain', 'hardware-aware'] as const) {
          const at = net.filter((c) => c.size === size && c.mode === mode && c.training === training && c.spares === 0);
          if (!at.length) continue;
          const of = (placement: 'none' | 'ir-aware') => at.filter((c) => c.placement === placement).sort((a, b) => a.seed - b.seed);
          const cell = (xs: number[], seeds: number) =>
            xs.length ? `${pt(mean(xs))} ± ${Number.isNaN(std(xs)) ? '—' : pt(std(xs))}${Number.isNaN(origSoft) ? '' : ` [${signed(mean(xs) - origSoft)}]`} ${seeds}×${xs.length / Math.max(1, seeds)}` : 'not measured';
          const none = of('none');
          const placed = of('ir-aware');
          const soft = mean([...new Map(at.map((c) => [c.seed, c.software])).values()]);
          // Placement: same seed and chip, ir-aware against none (both without remapping).
          const placementDiffs = placed.flatMap((c) => {
            const base = none.find((b) => b.seed === c.seed);
            return base ? c.without.map((v, k) => v - base.without[k]) : [];
          });
          const remapDiffs = none.flatMap((c) => c.remapped.map((v, k) => v - c.without[k]));
          let hwa = '—';
          if (training === 'hardware-aware') {
            const plain = net.filter((c) => c.size === size && c.mode === mode && c.training === 'plain' && c.placement === 'none' && c.spares === 0);
            hwa = effect(none.flatMap((c) => {
              const base = plain.find((b) => b.seed === c.seed);
              return base ? c.without.map((v, k) => v - base.without[k]) : [];
            }));
          }
          lines.push(
            `| ${mode} | ${training} | ${pt(soft)} | ${Math.round(mean(at.map((c) => c.mpes)))} | ${cell(none.flatMap((c) => c.without), none.length)} | ${cell(placed.flatMap((c) => c.without), placed.length)} | ${cell(none.flatMap((c) => c.remapped), none.length)} | ${cell(placed.flatMap((c) => c.remapped), placed.length)} | ${effect(placementDiffs)} | ${effect(remapDiffs)} | ${hwa} |`,
          );
        }
      const spared = net.filter((c) => c.size === size && c.spares > 0);
      if (spared.length) {
        lines.push('', `With spare lines (remapping onto them), placement ${[...new Set(spared.map((c) => c.placement))].join('/')}:`, '');
        for (const c of spared) lines.push(`- ${c.mode} ${c.training} seed ${c.seed}, ${c.spares} spares (+${pt(c.spareAreaFraction ?? NaN)}% area): remap ${signed(mean(c.remapped) - mean(c.without))} → ${pt(mean(c.remapped))}%`);
      }
      const t = net.filter((c) => c.size === size);
      lines.push('', `Time per chip at ${size}×${size} (two builds with remapping measured, 10,000 images each): ${mean(t.map((c) => c.secondsPerChip)).toFixed(1)} s.`, '');
    }
  }
  fs.writeFileSync(flag('table', path.join(here, 'LEVERS.md')), `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  if (!process.argv.includes('--only-table')) await measure(flag('runs', '').split(',').filter(Boolean).map((d) => path.resolve(d)));
  writeTable();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
