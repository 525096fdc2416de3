#!/usr/bin/env node
// Markdown tables of the accuracy experiments: one row per (variant, mode), per-seed values, mean ± sample std, min–max.
// Usage: node bench/accuracy/summarize.mjs [/tmp/acc/results.jsonl]
import * as fs from 'node:fs';

const file = process.argv[2] ?? '/tmp/acc/results.jsonl';
const recs = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const stats = (xs) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : NaN;
  return { n, mean, std, min: Math.min(...xs), max: Math.max(...xs) };
};
const groups = new Map();
for (const r of recs) {
  const base = r.base ?? (r.label.startsWith('fashion') ? 'fashion' : r.label.startsWith('paper') ? 'paper' : 'quick');
  const key = `${r.label}|${r.mode}`;
  if (!groups.has(key)) groups.set(key, { label: r.label, mode: r.mode, patch: r.patch, runs: new Map() });
  groups.get(key).runs.set(r.seed, r); // a rerun of a seed replaces the earlier one
}
// The original's accuracy per dataset family and seed, for paired Δ.
const family = (label) => (label.startsWith('fashion') ? 'fashion' : label.startsWith('paper') ? 'paper' : 'quick');
const orig = new Map();
for (const g of groups.values()) if (g.mode === 'original') for (const [s, r] of g.runs) orig.set(`${family(g.label)}|${s}`, r.acc);
const pct = (x) => (100 * x).toFixed(2);
// Lower bound by synapse count: Σ over layers of ⌈kept synapses / x²⌉ (every crossbar full), from the run's mapping.json.
const bound = (r) => {
  try {
    const m = JSON.parse(fs.readFileSync(`${r.runDir}/mapping.json`, 'utf8'));
    const x = m.crossbarSize;
    const layers = (m.schemes.packed ?? m.schemes.compact ?? m.schemes.dense).layers;
    return layers.reduce((a, l) => a + Math.ceil(l.synapses / (x * x)), 0);
  } catch {
    return NaN;
  }
};
console.log('| variant | mode | config change | seeds | acc per seed (%) | acc mean ± std (min–max) | Δ vs original (paired, pt) | mPEs per seed | mPEs mean ± std | bound per seed | kept/layer (seed 1) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const g of groups.values()) {
  const runs = [...g.runs.values()].sort((a, b) => a.seed - b.seed);
  const a = stats(runs.map((r) => r.acc));
  const m = stats(runs.map((r) => r.mpes));
  const d = runs.filter((r) => orig.has(`${family(g.label)}|${r.seed}`)).map((r) => r.acc - orig.get(`${family(g.label)}|${r.seed}`));
  const ds = d.length ? stats(d) : undefined;
  const kept = runs[0].kept?.map((k) => (100 * k).toFixed(0)).join('/') ?? '';
  console.log(
    `| ${g.label} | ${g.mode} | \`${JSON.stringify(g.patch)}\` | ${runs.map((r) => r.seed).join(',')} | ${runs.map((r) => pct(r.acc)).join(' / ')} | ${pct(a.mean)} ± ${Number.isNaN(a.std) ? '—' : pct(a.std)} (${pct(a.min)}–${pct(a.max)}) | ${g.mode === 'original' || !ds ? '—' : `${(100 * ds.mean).toFixed(2)} ± ${Number.isNaN(ds.std) ? '—' : (100 * ds.std).toFixed(2)}`} | ${runs.map((r) => r.mpes).join(' / ')} | ${m.mean.toFixed(1)} ± ${Number.isNaN(m.std) ? '—' : m.std.toFixed(1)} | ${runs.map(bound).join(' / ')} | ${kept} |`,
  );
}
