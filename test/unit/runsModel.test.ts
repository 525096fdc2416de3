import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES_GLOB, runsFingerprint, watchTarget } from '../../src/extension/runsModel';
import { tmpDir } from '../helpers/files';

test('a runs folder that does not exist yet is watched from its nearest existing ancestor', () => {
  const ws = tmpDir();
  const root = path.join(ws, '.trannsformer', 'runs');
  assert.deepEqual(watchTarget(root), { base: ws, pattern: `.trannsformer/runs/**/${RUN_FILES_GLOB}` });
  fs.mkdirSync(path.join(ws, '.trannsformer'));
  assert.deepEqual(watchTarget(root), { base: path.join(ws, '.trannsformer'), pattern: `runs/**/${RUN_FILES_GLOB}` });
  fs.mkdirSync(root);
  assert.deepEqual(watchTarget(root), { base: root, pattern: `**/${RUN_FILES_GLOB}` });
});

test('the glob matches the files a run and a comparison write', () => {
  for (const f of ['result.json', 'metrics.jsonl', 'compare.json']) assert.ok(RUN_FILES_GLOB.includes(f));
});

test('the runs fingerprint changes when a run folder appears (or the runs folder itself), not otherwise', () => {
  const ws = tmpDir();
  const root = path.join(ws, '.trannsformer', 'runs');
  const before = runsFingerprint([root]);
  assert.equal(runsFingerprint([root]), before);
  fs.mkdirSync(root, { recursive: true });
  const empty = runsFingerprint([root]);
  assert.notEqual(empty, before);
  fs.mkdirSync(path.join(root, '20261127-000000-tiny'));
  const one = runsFingerprint([root]);
  assert.notEqual(one, empty);
  assert.equal(runsFingerprint([root]), one);
});
