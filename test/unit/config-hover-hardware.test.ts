/**
 * The config hover shows the last run's hardware accuracy (issue 22): read
 * from a planted result.json through the Runs view's readers, passed into
 * the pure `hoverAt`. No such run: today's hover; a damaged record: no
 * figure, no throw.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../helpers/files';
import { readRunsFolder } from '../../src/extension/runsModel';
import { HoverRunsCache, lastHardwareRuns } from '../../src/extension/config/hoverRuns';
import { hoverAt } from '../../src/engine/config/assist';

const FIX = path.join(__dirname, '..', 'fixtures', 'extension-readers', '20261202-102229-tiny-sweep', '20261202-102232-trannsformer-x16-j04');
const CHIPS = { softwareAccuracy: 0.97812, mean: 0.95643, std: 0.00061, min: 0.95592, max: 0.95701, chips: 3, reliableCrossbar: 64, claimedCrossbar: 64, lossLimit: 0.005 };

type Obj = Record<string, unknown>;

/** A runs folder with a config file beside it; `plant` adds a run folder of that config (its result.json edited). */
function workspace(config: Obj = { network: { layers: [784, 100, 10] }, transform: { crossbar: 64 }, hardware: { preset: 'resparc-45nm', chips: 3 } }) {
  const dir = tmpDir('trn-hover-hw-');
  const file = path.join(dir, 'tiny.trannsformer.json');
  const text = JSON.stringify({ name: 'tiny', dataset: { name: 'mnist' }, ...config }, null, 2);
  fs.writeFileSync(file, text);
  const root = path.join(dir, 'runs');
  fs.mkdirSync(root);
  const plant = (name: string, edit: (r: Obj) => void) => {
    const run = path.join(root, name);
    fs.cpSync(FIX, run, { recursive: true });
    const r = JSON.parse(fs.readFileSync(path.join(run, 'result.json'), 'utf8')) as Obj;
    r.configFile = file;
    edit(r);
    fs.writeFileSync(path.join(run, 'result.json'), JSON.stringify(r));
  };
  /** The hover on the first layer, with the figure the extension would pass in. */
  const hover = () => {
    const runs = readRunsFolder(root).flatMap((e) => (e.kind === 'run' ? [e.record] : e.runs));
    const lastRun = lastHardwareRuns(runs).get(path.resolve(file));
    return { runs, lastRun, markdown: hoverAt(text, text.indexOf('784'), { baseDir: dir, lastRun })!.markdown, today: hoverAt(text, text.indexOf('784'), { baseDir: dir })!.markdown };
  };
  return { dir, file, text, plant, hover };
}

const withChips = (r: Obj, chips: Obj = CHIPS, at: Obj = {}) => {
  r.hardware = { ...(r.hardware as Obj), crossbarSize: 64, hardwareAccuracy: chips, ...at };
};

test('a planted result.json with hardware accuracy: the hover has its mean ± std (min–max), chips, preset and size, software accuracy, run and date', () => {
  const w = workspace();
  w.plant('20261202-130000-tiny', (r) => {
    withChips(r);
    r.finishedAt = '2026-12-02T13:05:09.000Z';
  });
  const { markdown, today } = w.hover();
  assert.ok(markdown.endsWith(today), 'the hover of today, with one line on top');
  const added = markdown.slice(0, -today.length);
  assert.equal(
    added,
    'Last measured hardware accuracy: **95.64% ± 0.06 (95.59–95.70) on 3 chips**, resparc-45nm 64×64; software 97.81% — run `20261202-130000-tiny`, 2026-12-02 13:05 UTC.\n\n',
  );
  // The crossbar and the preset fields hover with it too.
  for (const at of ['"crossbar"', '"preset"', '"chips"'])
    assert.match(hoverAt(w.text, w.text.indexOf(at) + 2, { baseDir: w.dir, lastRun: w.hover().lastRun })!.markdown, /95\.64% ± 0\.06 \(95\.59–95\.70\) on 3 chips/, at);
});

test('the newest run with chips is shown; a newer run without chips and a run of another config are not', () => {
  const w = workspace();
  w.plant('20261201-090000-tiny', (r) => {
    withChips(r, { ...CHIPS, mean: 0.9, min: 0.89, max: 0.91 });
    r.createdAt = '2026-12-01T09:00:00.000Z';
  });
  w.plant('20261202-090000-tiny', (r) => {
    withChips(r);
    r.createdAt = '2026-12-02T09:00:00.000Z';
  });
  w.plant('20261203-090000-tiny', (r) => void (r.createdAt = '2026-12-03T09:00:00.000Z'));
  w.plant('20261204-090000-other', (r) => {
    withChips(r, { ...CHIPS, mean: 0.5 });
    r.createdAt = '2026-12-04T09:00:00.000Z';
    r.configFile = path.join(w.dir, 'other.trannsformer.json');
  });
  const { lastRun, markdown } = w.hover();
  assert.equal(lastRun?.run, '20261202-090000-tiny');
  assert.match(markdown, /\*\*95\.64% ± 0\.06 \(95\.59–95\.70\) on 3 chips\*\*/);
  assert.doesNotMatch(markdown, /90\.00%|50\.00%/);
});

test('a run at another preset and size: shown, naming its preset and size and the config\'s', () => {
  const w = workspace({ network: { layers: [784, 100, 10] }, transform: { crossbar: 32 }, hardware: { preset: 'mnsim-130nm' } });
  w.plant('20261202-130000-tiny', (r) => withChips(r, { ...CHIPS, chips: 1, std: undefined, min: 0.95643, max: 0.95643 }, { preset: 'resparc-45nm' }));
  const { markdown } = w.hover();
  assert.match(markdown, /\*\*95\.64% on 1 chip\*\*, resparc-45nm 64×64 \(this config now: mnsim-130nm 32×32\); software 97\.81%/);
});

test('no run with hardware accuracy: the hover of today', () => {
  const w = workspace();
  w.plant('20261202-130000-tiny', () => undefined);
  const { lastRun, markdown, today } = w.hover();
  assert.equal(lastRun, undefined);
  assert.equal(markdown, today);
  assert.doesNotMatch(markdown, /Last measured/);
});

test('damaged records: no figure, nothing wrong said, no throw', () => {
  const damages: [string, (r: Obj) => void][] = [
    ['mean not a number', (r) => withChips(r, { ...CHIPS, mean: 'NaN' })],
    ['software accuracy missing', (r) => withChips(r, { ...CHIPS, softwareAccuracy: undefined })],
    ['software accuracy text', (r) => withChips(r, { ...CHIPS, softwareAccuracy: '97' })],
    ['std text', (r) => withChips(r, { ...CHIPS, std: 'x' })],
    ['chips zero', (r) => withChips(r, { ...CHIPS, chips: 0 })],
    ['crossbar size text', (r) => withChips(r, CHIPS, { crossbarSize: '64' })],
    ['hardware accuracy null', (r) => withChips(r, null as unknown as Obj)],
    ['hardware an error', (r) => (r.hardware = { error: 'out of memory' })],
    ['configFile a number', (r) => (withChips(r), (r.configFile = 7))],
  ];
  for (const [what, damage] of damages) {
    const w = workspace();
    w.plant('20261202-130000-tiny', damage);
    const { lastRun, markdown, today } = w.hover();
    assert.equal(lastRun, undefined, what);
    assert.equal(markdown, today, what);
  }
  // A result.json that is not JSON at all, beside a good run: the good one is shown.
  const w = workspace();
  w.plant('20261202-120000-tiny', (r) => withChips(r));
  w.plant('20261202-130000-tiny', (r) => withChips(r));
  fs.writeFileSync(path.join(w.dir, 'runs', '20261202-130000-tiny', 'result.json'), '{"format": "trannsformer-run", "hardw');
  const { lastRun, markdown } = w.hover();
  assert.equal(lastRun?.run, '20261202-120000-tiny');
  assert.doesNotMatch(markdown, /NaN|undefined/);
});

test('the hover\'s figures are read from the runs once, not per hover; again after the runs changed; a reader that throws gives none', () => {
  const w = workspace();
  w.plant('20261202-130000-tiny', (r) => withChips(r));
  let reads = 0;
  const runs = w.hover().runs;
  const cache = new HoverRunsCache(() => (reads++, runs), () => assert.fail('no error'));
  for (let i = 0; i < 50; i++) assert.equal(cache.get(w.file)?.mean, CHIPS.mean);
  assert.equal(cache.get(path.join(w.dir, 'other.trannsformer.json')), undefined);
  assert.equal(reads, 1, 'one read for 51 hovers');
  cache.invalidate();
  assert.equal(cache.get(w.file)?.run, '20261202-130000-tiny');
  assert.equal(reads, 2, 'read again after the runs changed');
  const errors: unknown[] = [];
  const broken = new HoverRunsCache(() => {
    throw new Error('EIO');
  }, (e) => errors.push(e));
  assert.equal(broken.get(w.file), undefined);
  assert.equal(broken.get(w.file), undefined);
  assert.equal(errors.length, 1, 'the failure told once, until the runs change');
});
