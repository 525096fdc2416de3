/**
 * One wording for reductions in the report and in Run Details: "41.0% fewer
 * mPEs", "12.0% more mPEs" — never a signed "+26.7%" in one place and a
 * "−26.7% fewer" in the other. The browser copy of the helper gives the same
 * text as the engine's for every number, and the report prints it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { reductionText } from '../../src/engine/core/reduction';
import { reductionText as detailsReductionText } from '../../webview/details/reduction';
import { compareReport } from '../../src/engine/report/html';
import { tmpDir } from '../helpers/files';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'report-compare');

test('a reduction reads "fewer", an increase "more", both unsigned; mass nouns take "less"', () => {
  assert.equal(reductionText(0.41, 'mPEs'), '41.0% fewer mPEs');
  assert.equal(reductionText(-0.12, 'mPEs'), '12.0% more mPEs');
  assert.equal(reductionText(-0.267, 'mPEs'), '26.7% more mPEs');
  assert.equal(reductionText(0.28, 'area', true), '28.0% less area');
  assert.equal(reductionText(-0.05, 'energy', true), '5.0% more energy');
  assert.equal(reductionText(0.0004, 'mPEs'), 'no change in mPEs');
  assert.equal(reductionText(-0.0004, 'mPEs'), 'no change in mPEs');
  for (const bad of [undefined, null, NaN, Infinity, '0.4', {}]) assert.equal(reductionText(bad, 'mPEs'), '—');
});

test('Run Details and the report word every number alike, never with a sign', () => {
  const values: unknown[] = [undefined, NaN, 0, 1e-5, -1e-5, 4.9e-4, 5e-4, -5e-4, 0.267, -0.267, 0.41, -0.12, 0.999, -3.5, 1];
  for (let k = -200; k <= 200; k++) values.push(k / 137);
  for (const v of values)
    for (const [noun, mass] of [['mPEs', false], ['area', true], ['energy', true]] as const) {
      const text = reductionText(v, noun, mass);
      assert.equal(detailsReductionText(v, noun, mass), text, `${String(v)} ${noun}`);
      assert.doesNotMatch(text, /[−+-]\d/, `${String(v)}: unsigned`);
    }
});

test('the comparison report prints the same words as Run Details for the same compare.json numbers', () => {
  const dir = path.join(tmpDir(), 'x-compare');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const file = path.join(dir, 'compare.json');
  const c = JSON.parse(fs.readFileSync(file, 'utf8'));
  const tr = c.rows.find((r: { mode: string }) => r.mode === 'trannsformer');
  Object.assign(tr, { reductionVsOriginal: 0.41, reductionVsPruning: -0.267 });
  fs.writeFileSync(file, JSON.stringify(c));
  const html = compareReport(dir);
  // Run Details shows the row's reductionVsPruning (its host reads compare.json) with its own copy of the helper.
  for (const v of [0.41, -0.267]) assert.ok(html.includes(`<td class="n">${detailsReductionText(v, 'mPEs')}</td>`), `report shows ${detailsReductionText(v, 'mPEs')}`);
  assert.ok(html.includes('<td class="n">26.7% more mPEs</td>'));
  assert.doesNotMatch(html, /<td class="n">[−+]\d+\.\d%<\/td>/, 'no signed reductions left');
});
