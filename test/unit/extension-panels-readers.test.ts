/** The Pareto, mapping and curves panels' data with damaged records: the rest is drawn, the damage named (never "Loading…" or a raw TypeError). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../helpers/files';
import { readParetoView } from '../../src/extension/panels/paretoData';
import { mappingViewOf } from '../../src/extension/panels/mappingData';
import { curvesViewAsync, curvesViewOf } from '../../src/extension/panels/curvesData';
import { checkCurvesView, checkMappingView, checkParetoView } from '../../webview/shared/guards';

const FIX = path.join(__dirname, '..', 'fixtures', 'extension-readers');
const SWEEP = '20261202-102229-tiny-sweep';
const RUN = '20261202-102232-trannsformer-x16-j04';

function sweepRoot(): { root: string; sweep: string; run: string } {
  const root = tmpDir('trn-panels-');
  fs.cpSync(path.join(FIX, SWEEP), path.join(root, SWEEP), { recursive: true });
  return { root, sweep: path.join(root, SWEEP), run: path.join(root, SWEEP, RUN) };
}

const edit = (file: string, change: (v: Record<string, unknown>) => void) => {
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(v);
  fs.writeFileSync(file, JSON.stringify(v));
};

test('Pareto: a null point and a point with text figures are left out, named in the header; the other points are drawn', () => {
  const { root, sweep } = sweepRoot();
  edit(path.join(sweep, 'pareto.json'), (v) => {
    const points = v.points as Record<string, unknown>[];
    points[0] = null as unknown as Record<string, unknown>;
    (points[1].figures as Record<string, unknown>).area_mm2 = 'NaN';
    v.designs = undefined;
  });
  const view = readParetoView([root], sweep);
  assert.equal(typeof checkParetoView(view), 'object', 'the webview accepts it');
  assert.equal(view.points.length, 8 - 2, 'one point per priced point but the two damaged ones');
  assert.deepEqual(view.sweep?.damaged, ['damaged: pareto.json: point 1: not an object', 'damaged: pareto.json: point 2 (p1): figures.area_mm2 is not a number']);
  assert.equal(typeof checkParetoView(readParetoView([root])), 'object');
});

test('Pareto: a run whose figures are text is left out, the others drawn (the webview would drop the whole view)', () => {
  const { root, run } = sweepRoot();
  fs.cpSync(run, path.join(root, '20261126-090000-solo'), { recursive: true });
  fs.cpSync(run, path.join(root, '20261126-090001-solo'), { recursive: true });
  edit(path.join(root, '20261126-090000-solo', 'result.json'), (v) => ((v.mapping as Record<string, unknown>).mpes = 'NaN'));
  const view = readParetoView([root]);
  assert.equal(typeof checkParetoView(view), 'object', String(checkParetoView(view)));
  assert.deepEqual(view.points.filter((p) => p.key.includes('-solo')).map((p) => path.basename(p.key)), ['20261126-090001-solo']);
});

test('mapping: a damaged mapping.json or clusters.json is left out with a note naming it; the heatmap is still drawn', () => {
  const { run } = sweepRoot();
  edit(path.join(run, 'mapping.json'), (v) => {
    const s = v.schemes as Record<string, { layers?: { crossbars: { rows: unknown }[] }[] }>;
    const placed = Object.values(s).find((x) => x.layers?.length);
    placed!.layers![0].crossbars[0].rows = [1e9];
  });
  edit(path.join(run, 'clusters.json'), (v) => ((v.layers as Record<string, unknown>[])[0].permutation = { outputs: [0], inputs: [] }));
  const view = mappingViewOf(run);
  assert.equal(typeof checkMappingView(view), 'object', String(checkMappingView(view)));
  assert.ok(view.notes.some((n) => /^damaged: mapping\.json: schemes\.\w+\.layers\[0\]: a crossbar holds neurons outside/.test(n)), view.notes.join('\n'));
  assert.ok(view.notes.some((n) => /^damaged: clusters\.json: layers\[0\]\.permutation does not order all/.test(n)), view.notes.join('\n'));
});

test('mapping: a run whose result.json is damaged gives an Error naming the file, not a TypeError', () => {
  const { run } = sweepRoot();
  edit(path.join(run, 'result.json'), (v) => (v.epochsCompleted = 'x'));
  assert.throws(() => mappingViewOf(run), (e: Error) => e.name === 'Error' && /damaged: result\.json: epochsCompleted or epochsPlanned is not a count/.test(e.message));
});

test('curves: a damaged run is a view saying so (the panel shows it instead of "Loading…"); damaged metrics lines are left out', async () => {
  const { run } = sweepRoot();
  const lines = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n');
  fs.writeFileSync(path.join(run, 'metrics.jsonl'), [lines[0].replace('"keptFraction"', '"keptFraction":null,"x"'), ...lines.slice(1)].join('\n') + '\n');
  for (const v of [curvesViewOf(run, false), await curvesViewAsync(run, false)]) {
    assert.equal(typeof checkCurvesView(v), 'object');
    assert.equal(v.metrics.length, lines.length - 1);
    assert.match(v.name, /damaged: metrics\.jsonl: 1 line not an epoch record, left out/);
  }
  edit(path.join(run, 'result.json'), (v) => (v.name = ['x']));
  for (const v of [curvesViewOf(run, false), await curvesViewAsync(run, false)]) {
    assert.equal(typeof checkCurvesView(v), 'object');
    assert.equal(v.status, 'damaged');
    assert.match(v.name, /damaged: result\.json: name is not text/);
  }
});
