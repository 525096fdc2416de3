/** Quick fixes touch only the text they fix: the user's hand-formatted layout elsewhere stays as it is. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { diagnoseText, type LocatedProblem } from '../../src/engine/config/diagnostics';
import { applyTextEdits, quickFixes, type TextEdit } from '../../src/engine/config/fixes';

const LAYERS = `"layers": [784,   300,
                          300,   10]`;

function fixOf(text: string, code: string): { problem: LocatedProblem; edits: TextEdit[] } {
  const problem = diagnoseText(text).problems.find((p) => p.code === code);
  assert.ok(problem, `a ${code} problem`);
  const fixes = quickFixes(text, problem);
  assert.equal(fixes.length, 1);
  return { problem, edits: fixes[0].edits };
}

test('the schedule fix next to a hand-formatted layers array leaves the array (and everything else) as written', () => {
  // The transform object starts on the line where the layers array ends: a formatter run over whole lines reformats the array.
  const text = `{
  "name": "t", "dataset": { "name": "mnist" }, "training": { "epochs": 10 },
  "network": { ${LAYERS} }, "transform": { "mode": "trannsformer", "clusterStart": 9 }
}
`;
  const { edits } = fixOf(text, 'schedule.order');
  const fixed = applyTextEdits(text, edits);
  assert.ok(fixed.includes(LAYERS), `the layers array is untouched:\n${fixed}`);
  const transformAt = text.indexOf('"transform"');
  for (const e of edits) assert.ok(e.offset > transformAt && e.offset + e.length < text.lastIndexOf('}'), `edit ${JSON.stringify(e)} stays inside transform`);
  assert.equal(fixed, text.replace('"clusterStart": 9 }', '"clusterStart": 8, "clusterPruneStart": 9 }'));
  assert.deepEqual(diagnoseText(fixed).problems.filter((p) => p.code === 'schedule.order'), []);
});

test('a member added to a multi-line object goes on its own line at the members\' indent; nothing else moves', () => {
  const text = `{
  "name": "t",
  "dataset": { "name": "mnist" },
  "training": { "epochs": 10 },
  "transform": {
    "mode": "trannsformer",
    "clusterStart": 9
  },
  "network": {
    ${LAYERS}
  }
}
`;
  const fixed = applyTextEdits(text, fixOf(text, 'schedule.order').edits);
  assert.equal(fixed, text.replace('"clusterStart": 9\n', '"clusterStart": 8,\n    "clusterPruneStart": 9\n'));
});

test('a value replaced where it stands; a missing section added in the file\'s layout (CRLF kept)', () => {
  const text = `{\r\n  "dataset": { "name": "mnist" },\r\n  "network": { ${LAYERS.replace('\n', '\r\n')}, "output": "sigmoid" },\r\n  "training": { "epochs": 4, "loss": "cross-entropy" }\r\n}\r\n`;
  const fixed = applyTextEdits(text, fixOf(text, 'loss.output-mismatch').edits);
  assert.equal(fixed, text.replace('"sigmoid"', '"softmax"'));
  // The preset missing: "hardware" is added after the last member, at the members' indent, with the file's line ends.
  const noHw = `{\r\n  "dataset": { "name": "mnist" },\r\n  "network": { "layers": [784, 100, 10] },\r\n  "training": { "epochs": 4 }\r\n}\r\n`;
  const edits = quickFixes(noHw, { code: 'x', fix: { title: 't', kind: 'set', changes: [{ path: ['hardware', 'preset'], value: 'puma-32nm' }, { path: ['hardware', 'timesteps'], value: 50 }] } })[0].edits;
  assert.equal(applyTextEdits(noHw, edits), noHw.replace('"epochs": 4 }\r\n', '"epochs": 4 },\r\n  "hardware": {\r\n    "preset": "puma-32nm",\r\n    "timesteps": 50\r\n  }\r\n'));
});

test('the crossbar-above-preset warning with the preset left to its default relates to the crossbar (or the hardware key), never to (1,1)', () => {
  const implicit = `{\n  "dataset": { "name": "mnist" },\n  "network": { "layers": [784, 100, 10] },\n  "training": { "epochs": 4 },\n  "transform": { "crossbar": 256 }\n}\n`;
  const p = diagnoseText(implicit, { baseDir: process.cwd() }).problems.find((x) => x.code === 'crossbar.above-preset-max');
  assert.ok(p, 'the warning');
  const rel = p.relatedRanges![0];
  assert.notDeepEqual([rel.range.start.line, rel.range.start.column], [1, 1]);
  assert.equal(implicit.slice(rel.range.start.offset, rel.range.end.offset), '256', 'the crossbar value itself');
  assert.match(rel.message, /maxCrossbar \d+ \(not set in this file: the default\)/);
  const section = implicit.replace('"training"', '"hardware": { "timesteps": 50 },\n  "training"');
  const q = diagnoseText(section, { baseDir: process.cwd() }).problems.find((x) => x.code === 'crossbar.above-preset-max')!;
  assert.equal(section.slice(q.relatedRanges![0].range.start.offset, q.relatedRanges![0].range.end.offset), '"hardware"');
  const explicit = section.replace('"timesteps": 50', '"preset": "resparc-45nm"');
  const r = diagnoseText(explicit, { baseDir: process.cwd() }).problems.find((x) => x.code === 'crossbar.above-preset-max')!;
  assert.equal(explicit.slice(r.relatedRanges![0].range.start.offset, r.relatedRanges![0].range.end.offset), '"resparc-45nm"');
  assert.doesNotMatch(r.relatedRanges![0].message, /default/);
});
