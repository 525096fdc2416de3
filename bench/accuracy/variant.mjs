#!/usr/bin/env node
// Accuracy experiments for issue 15: train one config variant for several seeds and append per-seed results to a JSONL log.
// Usage: node bench/accuracy/variant.mjs <base-config> <label> '<json patch>' <seeds e.g. 1,2,3> <modes e.g. original,trannsformer> [log]
// The patch is deep-merged into the base config (objects merge, everything else replaces).
// Outputs go to /tmp/acc (never into the repository); one training process at a time, niced.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const [base, label, patchText, seedsText, modesText, logArg] = process.argv.slice(2);
if (!base || !label || !patchText || !seedsText || !modesText) {
  console.error('usage: variant.mjs <base-config> <label> <json patch> <seeds> <modes> [log]');
  process.exit(2);
}
const log = logArg ?? '/tmp/acc/results.jsonl';
const merge = (a, b) => {
  if (b === null || typeof b !== 'object' || Array.isArray(b) || a === null || typeof a !== 'object' || Array.isArray(a)) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
  return out;
};
const baseConfig = JSON.parse(fs.readFileSync(base, 'utf8'));
const patch = JSON.parse(patchText);
fs.mkdirSync('/tmp/acc/configs', { recursive: true });
const cli = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../dist/cli.js');
for (const seed of seedsText.split(',').map(Number)) {
  const config = merge(merge(baseConfig, patch), { training: { seed } });
  const file = `/tmp/acc/configs/${label}-s${seed}.trannsformer.json`;
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  const t0 = Date.now();
  const out = execFileSync('nice', ['-n', '10', 'node', cli, 'compare', file, '--backend', 'onnx', '--modes', modesText, '--out', '/tmp/acc/runs', '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const compared = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((e) => e.type === 'compared');
  for (const r of compared.result.rows) {
    // Per-epoch test accuracy, to see where accuracy is lost.
    const metrics = fs.readFileSync(path.join(r.runDir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const rec = { label, patch, seed, mode: r.mode, acc: r.testAccuracy, mpes: r.mpes, paperMpes: r.paperMpes, kept: r.keptFraction, clustered: r.clusteredFraction, util: r.utilisation, runDir: r.runDir, seconds: r.seconds, curve: metrics.map((m) => m.testAccuracy ?? m.test?.accuracy) };
    fs.appendFileSync(log, JSON.stringify(rec) + '\n');
    console.log(`${label} seed ${seed} ${r.mode}: ${(100 * r.testAccuracy).toFixed(2)}% ${r.mpes} mPEs kept ${r.keptFraction?.map((k) => (100 * k).toFixed(1)).join('/')}`);
  }
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
