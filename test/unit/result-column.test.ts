import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { isResultView, pickResultColumn, type TabSpot } from '../../src/extension/panels/column';

const tab = (viewType: string | undefined, column: number, groupActive = false): TabSpot => ({ viewType, column, groupActive });

test('no result panel open: undefined (the first opens beside the editor)', () => {
  assert.equal(pickResultColumn([]), undefined);
  assert.equal(pickResultColumn([tab(undefined, 1, true), tab('markdown.preview', 2)]), undefined);
});

test('later result panels join the results column, not a new one', () => {
  // The config in column 1 (active), the mapping panel beside it: Pareto goes to column 2, then Curves too.
  assert.equal(pickResultColumn([tab(undefined, 1, true), tab('mainThreadWebview-trannsformer.mapping', 2)]), 2);
  assert.equal(pickResultColumn([tab(undefined, 1), tab('trannsformer.mapping', 2, true), tab('trannsformer.pareto', 2, true)]), 2);
  assert.equal(pickResultColumn([tab(undefined, 1, true), tab('trannsformer.report', 3)]), 3);
});

test('result panels in several groups: the active one, else the one holding most, else the rightmost', () => {
  const spread = [tab(undefined, 1), tab('trannsformer.mapping', 2), tab('trannsformer.pareto', 3), tab('trannsformer.curves', 3)];
  assert.equal(pickResultColumn(spread), 3);
  assert.equal(pickResultColumn(spread.map((t) => (t.column === 2 ? { ...t, groupActive: true } : t))), 2);
  assert.equal(pickResultColumn([tab('trannsformer.mapping', 2), tab('trannsformer.pareto', 4)]), 4);
});

test('only our panels count', () => {
  assert.ok(isResultView('trannsformer.pareto'));
  assert.ok(isResultView('mainThreadWebview-trannsformer.curves'));
  assert.ok(!isResultView('trannsformer.paretox'));
  assert.ok(!isResultView('other.trannsformer.pareto'));
});
