import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnoseText, formatLocated, locateProblems, type LocatedProblem } from '../../src/engine/config/diagnostics';
import { applyTextEdits, quickFixes } from '../../src/engine/config/fixes';
import { configLenses, hoverAt } from '../../src/engine/config/assist';
import { denseEstimate } from '../../src/engine/config/estimate';
import { closest, formatPath, isSchemaProblem, parseJson, validateConfig } from '../../src/engine/config/validate';
import { loadConfigFile } from '../../src/engine/config/resolve';
import { loadPreset } from '../../src/engine/hardware/presets';
import { networkArea, spikingEnergy } from '../../src/engine/hardware/cost';
import type { Crossbar } from '../../src/engine/format/mapping';
import { UserError } from '../../src/engine/core/errors';
import { main } from '../../src/cli';
import { tmpDir, writeIdxPair } from '../helpers/files';

const base = () => ({ dataset: { name: 'mnist' }, network: { layers: [784, 100, 10] }, training: { epochs: 10 } }) as Record<string, Record<string, unknown>>;
const text = (c: unknown) => JSON.stringify(c, null, 2);
const dir = tmpDir('trn-diag-');

/** Problems of a text, checking the disk relative to `baseDir` (null: no disk checks). */
function diagnose(t: string, baseDir: string | null = dir): LocatedProblem[] {
  return diagnoseText(t, baseDir === null ? {} : { baseDir }).problems;
}

/** The one problem with `code` (at `at`, when given); fails listing what there is otherwise. */
function one(problems: LocatedProblem[], code: string, at?: string): LocatedProblem {
  const found = problems.filter((p) => p.code === code && (at === undefined || formatPath(p.path) === at));
  assert.equal(found.length, 1, `expected one ${code}${at ? ` at ${at}` : ''}; got ${problems.map((p) => `${p.code} ${formatPath(p.path)}: ${p.message}`).join(' | ') || 'none'}`);
  return found[0];
}

/** The text a range covers. */
const covered = (t: string, p: { range: LocatedProblem['range'] }) => t.slice(p.range.start.offset, p.range.end.offset);

/** Apply the problem's one quick fix and return the new text. */
function fix(t: string, p: LocatedProblem): string {
  const fixes = quickFixes(t, p);
  assert.equal(fixes.length, 1, `expected a quick fix for ${p.code}`);
  return applyTextEdits(t, fixes[0].edits);
}

describe('semantic checks with ranges', () => {
  test('first layer ≠ the dataset\'s inputs: error on the value, related to the dataset name, fix sets it', () => {
    const c = base();
    c.network.layers = [783, 100, 10];
    const t = text(c);
    const p = one(diagnose(t), 'layers.input-mismatch', 'network.layers[0]');
    assert.equal(p.severity, 'error');
    assert.match(p.message, /is 783, but dataset "mnist" has 784 inputs/);
    assert.equal(covered(t, p), '783');
    assert.equal(p.range.start.line, t.slice(0, p.range.start.offset).split('\n').length);
    assert.equal(covered(t, p.relatedRanges![0]), '"mnist"');
    const fixed = fix(t, p);
    assert.deepEqual(JSON.parse(fixed).network.layers, [784, 100, 10]);
    assert.deepEqual(diagnose(fixed).filter((x) => x.severity !== 'hint'), []);
  });

  test('last layer ≠ the classes; synthetic relates to its own fields; rgb cifar relates to color', () => {
    const c = base();
    c.network.layers = [784, 100, 7];
    const t = text(c);
    const p = one(diagnose(t), 'layers.output-mismatch', 'network.layers[2]');
    assert.equal(covered(t, p), '7');
    assert.deepEqual(JSON.parse(fix(t, p)).network.layers, [784, 100, 10]);
    const syn = text({ dataset: { name: 'synthetic', synthetic: { inputSize: 32, classes: 3 } }, network: { layers: [64, 8, 4] }, training: { epochs: 1 } });
    const ps = diagnose(syn);
    assert.equal(covered(syn, one(ps, 'layers.input-mismatch').relatedRanges![0]), '32');
    assert.equal(covered(syn, one(ps, 'layers.output-mismatch').relatedRanges![0]), '3');
    const cifar = text({ dataset: { name: 'cifar10', path: '.', color: 'rgb' }, network: { layers: [1024, 10] }, training: { epochs: 1 } });
    const pc = one(diagnose(cifar), 'layers.input-mismatch');
    assert.match(pc.message, /\(rgb\) has 3072 inputs/);
    assert.equal(covered(cifar, pc.relatedRanges![0]), '"rgb"');
  });

  test('crossbar above the preset maximum: warning naming the preset, fix clamps', () => {
    const c = { ...base(), transform: { crossbar: 128 }, hardware: { preset: 'resparc-45nm' } };
    const t = text(c);
    const p = one(diagnose(t), 'crossbar.above-preset-max');
    assert.equal(p.severity, 'warning');
    assert.match(p.message, /128×128 exceeds resparc-45nm's largest reliable crossbar \(64×64\)/);
    assert.equal(covered(t, p), '128');
    assert.equal(covered(t, p.relatedRanges![0]), '"resparc-45nm"');
    const fixed = fix(t, p);
    assert.equal(JSON.parse(fixed).transform.crossbar, 64);
    assert.equal(diagnose(fixed).length, 0);
    // puma-32nm allows 128; the preset is checked only with a base folder (the disk).
    assert.equal(diagnose(text({ ...c, hardware: { preset: 'puma-32nm' } })).length, 0);
    assert.equal(diagnose(t, null).filter((x) => x.code === 'crossbar.above-preset-max').length, 0);
  });

  test('crossbar not a power of two: a hint, fix to the nearest power', () => {
    const t = text({ ...base(), transform: { crossbar: 48 } });
    const p = one(diagnose(t), 'crossbar.not-power-of-two');
    assert.equal(p.severity, 'hint');
    assert.equal(JSON.parse(fix(t, p)).transform.crossbar, 32);
    assert.equal(JSON.parse(fix(text({ ...base(), transform: { crossbar: 50 } }), one(diagnose(text({ ...base(), transform: { crossbar: 50 } })), 'crossbar.not-power-of-two'))).transform.crossbar, 64);
    // A hint is not a warning of the run.
    const f = path.join(dir, 'hint.trannsformer.json');
    fs.writeFileSync(f, t);
    assert.deepEqual(loadConfigFile(f).warnings, []);
  });

  test('schedule out of order: warnings with a fix that reorders (inserting a default it must move)', () => {
    const swapped = text({ ...base(), transform: { clusterStart: 8, clusterPruneStart: 3 } });
    const p = one(diagnose(swapped), 'schedule.order');
    assert.equal(p.severity, 'warning');
    assert.match(p.message, /clusterStart 8 is after clusterPruneStart 3/);
    assert.equal(covered(swapped, p), '8');
    assert.equal(covered(swapped, p.relatedRanges![0]), '3');
    const fixed = JSON.parse(fix(swapped, p));
    assert.deepEqual([fixed.transform.clusterStart, fixed.transform.clusterPruneStart], [3, 8]);
    // clusterStart after the default clusterPruneStart (0.8·10 = 8): the fix writes clusterPruneStart.
    const late = text({ ...base(), transform: { clusterStart: 9 } });
    const pl = one(diagnose(late), 'schedule.order');
    assert.match(pl.message, /clusterPruneStart 8 \(the default\)/);
    const fl = fix(late, pl);
    assert.deepEqual([JSON.parse(fl).transform.clusterStart, JSON.parse(fl).transform.clusterPruneStart], [8, 9]);
    assert.deepEqual(diagnose(fl), []);
    // After the last epoch: both clamped to the epochs.
    const past = text({ ...base(), transform: { clusterStart: 12, clusterPruneStart: 15 } });
    const pp = diagnose(past).filter((x) => x.code === 'schedule.order');
    assert.equal(pp.length, 2);
    assert.match(pp[0].message, /after the last epoch \(10\)/);
    const fp = JSON.parse(fix(past, pp[0]));
    assert.deepEqual([fp.transform.clusterStart, fp.transform.clusterPruneStart], [10, 10]);
  });

  test('quality min above max: error; equal: warning; both relate to qualityMax', () => {
    const t = text({ ...base(), transform: { qualityMin: 0.8, qualityMax: 0.6 } });
    const p = one(diagnose(t), 'quality.min-above-max');
    assert.equal(p.severity, 'error');
    assert.equal(covered(t, p), '0.8');
    assert.equal(covered(t, p.relatedRanges![0]), '0.6');
    assert.equal(one(diagnose(text({ ...base(), transform: { qualityMin: 0.5, qualityMax: 0.5 } })), 'quality.min-above-max').severity, 'warning');
  });

  test('negative rates: one error per rate (replacing the schema\'s range error), with the allowed range', () => {
    const t = text({ ...base(), training: { epochs: 1, learningRate: -0.5 }, transform: { pruneRates: [0.5, -1], innerPruneRate: -2 } });
    const ps = diagnose(t);
    assert.match(one(ps, 'rate.negative', 'training.learningRate').message, /is -0.5, but a rate cannot be negative \(out of range; allowed: \(0, 100\]\)/);
    assert.equal(covered(t, one(ps, 'rate.negative', 'transform.pruneRates[1]')), '-1');
    one(ps, 'rate.negative', 'transform.innerPruneRate');
    assert.equal(ps.filter((p) => p.code === 'schema.range').length, 0);
  });

  test('dataset folder and files missing on disk: warnings at the path (relative to the config)', () => {
    const t = text({ dataset: { name: 'svhn', path: 'no-such-folder' }, network: { layers: [1024, 10] }, training: { epochs: 1 } });
    const p = one(diagnose(t), 'dataset.path-missing');
    assert.equal(p.severity, 'warning');
    assert.match(p.message, new RegExp(`folder not found: ${path.join(dir, 'no-such-folder').replace(/[/\\]/g, '.')}`));
    assert.equal(covered(t, p), '"no-such-folder"');
    const idxDir = tmpDir('trn-idx-');
    writeIdxPair(idxDir, 'train', 4);
    const idx = text({ dataset: { name: 'idx', path: idxDir }, network: { layers: [16, 10] }, training: { epochs: 1 } });
    const missing = diagnose(idx).filter((x) => x.code === 'dataset.files-missing');
    assert.deepEqual(missing.map((x) => formatPath(x.path)).sort(), ['dataset.testImages', 'dataset.testLabels']);
    // Defaults are not in the text: the range falls back to the dataset key.
    assert.equal(covered(idx, missing[0]), '"dataset"');
    writeIdxPair(idxDir, 't10k', 2);
    assert.deepEqual(diagnose(idx), []);
    const cifar = tmpDir('trn-cifar-');
    const pc = diagnose(text({ dataset: { name: 'cifar10', path: cifar }, network: { layers: [1024, 10] }, training: { epochs: 1 } }));
    assert.deepEqual(
      pc.map((x) => [x.code, formatPath(x.path)]),
      [['dataset.files-missing', 'dataset.path'], ['dataset.files-missing', 'dataset.path']],
    );
    assert.match(pc[0].message, /no data_batch_\*\.bin/);
    assert.match(pc[1].message, /no test_batch\.bin/);
  });

  test('unknown preset: error with the nearest name and a fix; a preset path is read relative to the config', () => {
    const t = text({ ...base(), hardware: { preset: 'resparc-45mn' } });
    const p = one(diagnose(t), 'preset.unknown');
    assert.equal(p.severity, 'error');
    assert.match(p.message, /^no such preset; presets: .*resparc-45nm.*\(did you mean "resparc-45nm"\?\)/);
    assert.equal(JSON.parse(fix(t, p)).hardware.preset, 'resparc-45nm');
    // Pricing off: the run never reads it, a warning.
    assert.equal(one(diagnose(text({ ...base(), hardware: { preset: 'nope', evaluate: false } })), 'preset.unknown').severity, 'warning');
    const sub = path.join(dir, 'presets');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, 'mine.json'), JSON.stringify({ name: 'mine', maxCrossbar: 32, borrowFrom: 'resparc-45nm' }));
    const ok = text({ ...base(), transform: { crossbar: 64 }, hardware: { preset: 'presets/mine.json' } });
    assert.match(one(diagnose(ok), 'crossbar.above-preset-max').message, /mine's largest reliable crossbar \(32×32\)/);
    const bad = one(diagnose(text({ ...base(), hardware: { preset: 'presets/none.json' } })), 'preset.invalid');
    assert.match(bad.message, /preset file not found/);
  });

  test('unknown field: error on the key with the nearest valid name; the fix renames it', () => {
    const t = text({ dataset: { name: 'mnist' }, network: { layers: [784, 10] }, training: { epocs: 3 } });
    const ps = diagnose(t);
    const p = one(ps, 'key.unknown', 'training.epocs');
    assert.match(p.message, /did you mean "epochs"/);
    assert.equal(covered(t, p), '"epocs"');
    assert.ok(!isSchemaProblem(p), 'the editor shows it (VS Code\'s own warning has no name to suggest)');
    assert.ok(isSchemaProblem(one(ps, 'schema.required', 'training.epochs')), 'left to VS Code');
    const fixed = fix(t, p);
    assert.deepEqual(JSON.parse(fixed).training, { epochs: 3 });
    assert.deepEqual(diagnose(fixed), []);
    // No rename onto a name that is already there (a duplicate key).
    const both = text({ dataset: { name: 'mnist' }, network: { layers: [784, 10] }, training: { epochs: 3, epocs: 4 } });
    assert.deepEqual(quickFixes(both, one(diagnose(both), 'key.unknown')), []);
  });

  test('other checks keep their codes; one wrong type does not hide the semantic checks', () => {
    const ps = diagnose(text({ dataset: { name: 'mnist' }, network: { layers: [783, 10], dropout: 'x' }, training: { epochs: 1, loss: 'cross-entropy' } }));
    one(ps, 'schema.type', 'network.dropout');
    one(ps, 'layers.input-mismatch');
    one(ps, 'loss.output-mismatch', 'network.output');
    one(diagnose(text({ dataset: { name: 'cifar10' }, network: { layers: [1024, 10] }, training: { epochs: 1 } })), 'dataset.path-required');
    one(diagnose(text({ ...base(), training: { epochs: 1, workers: 4, batchSize: 4 } })), 'training.workers-batch');
    one(diagnose(text({ ...base(), transform: { pruneRates: [1] } })), 'rates.length-mismatch');
    one(diagnose('{"dataset": {"name": "mnist"}, "network": {"layers": [784, 10]}, "training": {"epochs": 1e999}}'), 'number.not-finite', 'training.epochs');
  });
});

describe('the known gaps', () => {
  test('JSON syntax errors carry line and column (trailing comma named)', () => {
    const t = '{\n  "dataset": { "name": "mnist" },\n  "network": { "layers": [784, 10], }\n}\n';
    const [p] = diagnose(t);
    assert.equal(p.code, 'json.syntax');
    assert.deepEqual([p.range.start.line, p.range.start.column], [3, 37]);
    assert.match(p.message, /trailing comma/);
    assert.match(formatLocated('c.json', p), /^c\.json:3:37: error json\.syntax: not valid JSON: a trailing comma/);
    assert.throws(() => parseJson(t, 'c.json'), (e: unknown) => e instanceof UserError && /^c\.json:3:37: not valid JSON \(a trailing comma/.test(e.message));
    assert.match(diagnose('')[0].message, /empty/);
  });

  test('deep nesting: a clear error at the bracket, never a stack overflow (text, object and file)', () => {
    const depth = 200_000;
    const t = `{"description": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const [p] = diagnose(t);
    assert.equal(p.code, 'json.too-deep');
    assert.match(p.message, /nested more than 64 levels/);
    assert.equal(p.range.start.offset, 16 + 63);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const v = validateConfig({ ...base(), description: deep });
    assert.equal(v.problems[0].code, 'json.too-deep');
    assert.ok(formatPath(v.problems[0].path).startsWith('description[0][0]'));
    const f = path.join(dir, 'deep.trannsformer.json');
    fs.writeFileSync(f, t);
    assert.throws(() => loadConfigFile(f), /deep\.trannsformer\.json:1:80: not valid JSON here: is nested more than 64 levels/);
  });

  test('empty and blank keys have a visible path; odd keys are quoted', () => {
    const ps = diagnose('{"dataset": {"name": "mnist"}, "network": {"layers": [784, 10], "": 1, "  ": 2}, "training": {"epochs": 1}, "a.b": 3}');
    one(ps, 'key.unknown', 'network[""]');
    one(ps, 'key.unknown', 'network["  "]');
    one(ps, 'key.unknown', '["a.b"]');
    assert.equal(formatPath(['network', 'layers', 0]), 'network.layers[0]');
  });

  test('a UTF-8 byte-order mark is read (file, text and the CLI)', () => {
    const t = '\uFEFF' + text(base());
    assert.deepEqual(diagnose(t), []);
    const f = path.join(dir, 'bom.trannsformer.json');
    fs.writeFileSync(f, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text(base()))]));
    assert.equal(loadConfigFile(f).config.training.epochs, 10);
  });

  test('a 4 MB unknown key: one bounded problem, its path shortened, no suggestion', () => {
    const key = 'x'.repeat(4 * 1024 * 1024);
    const t = `{"dataset": {"name": "mnist"}, "network": {"layers": [784, 10]}, "training": {"epochs": 1, "${key}": 1}}`;
    const p = one(diagnose(t), 'key.unknown');
    assert.doesNotMatch(p.message, /did you mean/);
    assert.ok(formatPath(p.path).length < 100, formatPath(p.path));
    assert.match(formatPath(p.path), /\(4194304 characters\)/);
    assert.equal(p.range.end.offset - p.range.start.offset, key.length + 2);
    // The suggestion search is bounded by construction: long words and far-off lengths are not compared.
    assert.equal(closest(key, ['epochs']), undefined);
    assert.equal(closest('epochss', ['epochs', 'batchSize']), 'epochs');
    assert.equal(closest('learningrate', ['learningRate']), 'learningRate');
    assert.equal(closest('zzzzzzzz', ['epochs']), undefined);
  });

  test('run refuses an invalid config with the same messages, code and place', () => {
    const f = path.join(dir, 'bad.trannsformer.json');
    const t = text({ dataset: { name: 'mnist' }, network: { layers: [783, 10] }, training: { epochs: 1 }, hardware: { preset: 'nope' } });
    fs.writeFileSync(f, t);
    const ps = diagnose(t);
    assert.throws(
      () => loadConfigFile(f),
      (e: unknown) => {
        const m = (e as Error).message;
        for (const p of ps) assert.ok(m.includes(`  ${formatPath(p.path)}: ${p.message} [${p.code}, line ${p.range.start.line}:${p.range.start.column}]`), m);
        return true;
      },
    );
    // Problems found on a value (overrides applied) are placed in the file's text.
    const placed = locateProblems(t, validateConfig(JSON.parse(t)).problems);
    assert.deepEqual(placed.map((p) => p.range.start.offset).sort(), ps.filter((p) => !p.code.startsWith('preset')).map((p) => p.range.start.offset).sort());
  });
});

describe('hovers and lenses', () => {
  const paper = { dataset: { name: 'mnist' }, network: { layers: [784, 1200, 1200, 10] }, training: { epochs: 60 }, transform: { crossbar: 64 } };

  test('the dense mapping: ⌈n_in/x⌉·⌈n_out/x⌉ mPEs per layer, the preset\'s area', () => {
    const e = denseEstimate([784, 1200, 1200, 10], 64, loadPreset('resparc-45nm'));
    assert.deepEqual(e.layers.map((l) => l.mpes), [13 * 19, 19 * 19, 19 * 1]);
    assert.equal(e.mpes, 627);
    assert.ok(Math.abs(e.layers[0].utilisation - (784 * 1200) / (247 * 64 * 64)) < 1e-12);
    assert.deepEqual(e.hardware!.area, networkArea(loadPreset('resparc-45nm'), 64, 627));
  });

  test('the rough energy is the cost model\'s spikingEnergy at a uniform spike rate, in closed form', () => {
    const p = loadPreset('puma-32nm');
    const layers = [37, 20, 5];
    const x = 16;
    const T = 50;
    const rate = 0.2;
    const e = denseEstimate(layers, x, p, { timesteps: T, spikeRate: rate });
    // The same network mapped tile by tile, every neuron spiking rate·T times, activity 1-(1-rate)^inputs per tile.
    const mapped = layers.slice(1).map((nout, l) => {
      const nin = layers[l];
      const crossbars: Crossbar[] = [];
      for (let i = 0; i < nin; i += x)
        for (let o = 0; o < nout; o += x) {
          const cols = Array.from({ length: Math.min(x, nin - i) }, (_, k) => i + k);
          const rows = Array.from({ length: Math.min(x, nout - o) }, (_, k) => o + k);
          crossbars.push({ rows, cols, synapses: rows.length * cols.length, kind: 'tile' });
        }
      return {
        crossbars,
        spikes: {
          inputSpikes: new Float64Array(nin).fill(rate * T),
          outputSpikes: new Float64Array(nout).fill(rate * T),
          activeSteps: Float64Array.from(crossbars, (c) => T * (1 - (1 - rate) ** c.cols.length)),
        },
      };
    });
    const ref = spikingEnergy(p, mapped);
    for (const k of ['total_uJ', 'crossbar_uJ', 'neuron_uJ', 'communication_uJ'] as const)
      assert.ok(Math.abs(e.hardware!.energy[k] - ref[k]) <= 1e-9 * Math.max(1, ref[k]), `${k}: ${e.hardware!.energy[k]} vs ${ref[k]}`);
  });

  test('hover on the layers and the crossbar; none elsewhere; instant on huge layers', () => {
    const t = text(paper);
    const onLayer = hoverAt(t, t.indexOf('1200'), { baseDir: dir });
    assert.ok(onLayer);
    assert.match(onLayer.markdown, /Dense mapping on 64×64/);
    assert.match(onLayer.markdown, /\| 1 \| 784 → 1200 \| 13·19 = 247 \|/);
    assert.match(onLayer.markdown, /\*\*627 mPEs\*\*/);
    const area = networkArea(loadPreset('resparc-45nm'), 64, 627).total_mm2;
    assert.ok(onLayer.markdown.includes(`area ≈ **${area.toPrecision(3)} mm²**`), onLayer.markdown);
    assert.match(onLayer.markdown, /energy ≈ \*\*[\d.,]+ µJ\*\* per classification/);
    assert.match(onLayer.markdown, /Rough: every neuron assumed to spike in 10% of T = 100 timesteps/);
    const onCrossbar = hoverAt(t, t.indexOf('"crossbar"') + 2, { baseDir: dir });
    assert.match(onCrossbar!.markdown, /627 mPEs/);
    assert.equal(hoverAt(t, t.indexOf('"epochs"') + 2), undefined);
    const big = text({ ...paper, network: { layers: [100000, 100000, 10] }, transform: { crossbar: 8 }, hardware: { preset: 'mnsim-130nm' } });
    const h = hoverAt(big, big.indexOf('100000'), { baseDir: dir });
    assert.match(h!.markdown, /12,500·12,500|12500·12500/);
    assert.match(h!.markdown, /156,275,000 mPEs/);
    assert.match(hoverAt(text({ ...paper, hardware: { preset: 'nope' } }), t.indexOf('1200'), { baseDir: dir })!.markdown, /Preset "nope": .*no such preset/);
  });

  test('lenses: run and compare always; sweep with a sweep section; results when there are some', () => {
    assert.deepEqual(configLenses(text(paper), false)!.actions.map((a) => a.action), ['run', 'compare']);
    assert.deepEqual(configLenses(text({ ...paper, sweep: {} }), true)!.actions.map((a) => a.action), ['run', 'compare', 'sweep', 'results']);
    assert.equal(configLenses('[1, 2]', false), undefined);
    assert.equal(configLenses('\uFEFF  {"a": 1}', false)!.offset, 2);
  });
});

describe('trannsformer validate', () => {
  async function cli(args: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    try {
      return { code: await main(args), out: lines.join('\n') };
    } finally {
      console.log = log;
    }
  }

  test('--json prints every problem the editor shows (and the schema ones), with code, path and range; exit 2 on errors', async () => {
    const f = path.join(dir, 'cli.trannsformer.json');
    const t = text({ dataset: { name: 'mnist' }, network: { layers: [783, 10] }, training: { epocs: 1 }, transform: { crossbar: 48 } });
    fs.writeFileSync(f, t);
    const ok = path.join(dir, 'ok.trannsformer.json');
    fs.writeFileSync(ok, text(base()));
    const r = await cli(['validate', f, ok, '--json']);
    assert.equal(r.code, 2);
    const out = JSON.parse(r.out);
    assert.equal(out.format, 'trannsformer-validate');
    const [bad, good] = out.files;
    assert.deepEqual(good, { file: ok, valid: true, problems: [] });
    assert.equal(bad.valid, false);
    const expected = diagnose(t);
    assert.deepEqual(
      bad.problems.map((p: { code: string; path: string; severity: string; message: string; range: unknown }) => [p.severity, p.code, p.path, p.message, p.range]),
      expected.map((p) => [p.severity, p.code, formatPath(p.path), p.message, p.range]),
    );
    assert.deepEqual(
      bad.problems.map((p: { code: string }) => p.code),
      ['layers.input-mismatch', 'schema.required', 'key.unknown', 'crossbar.not-power-of-two'],
    );
    const input = bad.problems[0];
    assert.deepEqual(input.range.start, { line: 7, column: 7, offset: t.indexOf('783') });
    assert.equal(input.related[0].path, 'dataset.name');
    assert.match(input.fix, /Set the first layer to 784/);
    const good2 = await cli(['validate', ok]);
    assert.equal(good2.code, 0);
    assert.equal(good2.out, `${ok}: ok`);
    const human = await cli(['validate', f]);
    assert.match(human.out, new RegExp(`cli\\.trannsformer\\.json:7:7: error layers\\.input-mismatch: network\\.layers\\[0\\]: is 783`));
    assert.match(human.out, /invalid \(3 errors\)$/);
    const missing = await cli(['validate', path.join(dir, 'none.json'), '--json']);
    assert.equal(JSON.parse(missing.out).files[0].problems[0].code, 'file.unreadable');
  });
});
