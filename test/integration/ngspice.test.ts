/**
 * The IR-drop solver against an independent circuit simulator: Debian's
 * ngspice solves the DC operating point of the same crossbar written as a
 * netlist (cells, wire segments, drivers, a 0 V source at each column's end
 * whose current is the column current). Random conductances, wires and
 * inputs at 8×8, 32×32, 64×64 and 128×128; the column currents must agree to
 * 1e-6 relative — and a wire resistance off by 1 % must not.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Rng } from '../../src/engine/core/rng';
import { effectiveMatrix, type Wires } from '../../src/engine/hardware/irdrop';
import { tmpDir } from '../helpers/files';

const found = spawnSync('ngspice', ['-v'], { encoding: 'utf8', timeout: 30_000 });
const skip = found.error ? `ngspice is not installed (${(found.error as NodeJS.ErrnoException).code}): apt-get install ngspice` : false;

/** The netlist of an n×m crossbar with inputs V: rows driven at column 0, columns read at row n−1. */
function netlist(G: Float64Array, n: number, m: number, w: Wires, V: number[]): string {
  const lines = ['* crossbar IR drop'];
  let k = 0;
  const R = (a: string, b: string, ohm: number) => lines.push(`R${k++} ${a} ${b} ${ohm.toPrecision(17)}`);
  for (let i = 0; i < n; i++) {
    lines.push(`VIN${i} d${i} 0 DC ${V[i].toPrecision(17)}`);
    R(`d${i}`, `r${i}_0`, w.driver_ohm + w.wireRow_ohm);
    for (let j = 0; j < m; j++) {
      R(`r${i}_${j}`, `c${i}_${j}`, 1 / G[i * m + j]);
      if (j < m - 1) R(`r${i}_${j}`, `r${i}_${j + 1}`, w.wireRow_ohm);
      if (i < n - 1) R(`c${i}_${j}`, `c${i + 1}_${j}`, w.wireCol_ohm);
    }
  }
  for (let j = 0; j < m; j++) {
    R(`c${n - 1}_${j}`, `s${j}`, w.wireCol_ohm + w.sense_ohm);
    lines.push(`VS${j} s${j} 0 DC 0`);
  }
  lines.push('.control', 'set numdgt=15', 'op', ...Array.from({ length: m }, (_, j) => `print i(vs${j})`), '.endc', '.end');
  return lines.join('\n') + '\n';
}

/** Column currents from ngspice (current into each 0 V source = out of the column). */
function spice(dir: string, text: string, m: number): number[] {
  const file = path.join(dir, `x${m}-${Date.now()}.cir`);
  fs.writeFileSync(file, text);
  const r = spawnSync('ngspice', ['-b', file], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  // ngspice -b exits 1 after a .control block ("no simulations run" refers to .print lines): judge by what it printed.
  assert.ok(!r.error, `ngspice did not run: ${r.error?.message}`);
  const out = new Array<number>(m).fill(NaN);
  for (const mm of r.stdout.matchAll(/^i\(vs(\d+)\) = (\S+)$/gm)) out[Number(mm[1])] = Number(mm[2]);
  assert.ok(out.every(Number.isFinite), `ngspice printed ${out.filter(Number.isFinite).length} of ${m} column currents; stderr: ${r.stderr.slice(0, 500)}`);
  return out;
}

/** Largest relative difference between the solver's column currents and ngspice's. */
function worstDifference(G: Float64Array, n: number, m: number, solverWires: Wires, spiceCurrents: number[], V: number[]): number {
  const M = effectiveMatrix(G, n, m, n, solverWires, { tolerance: 1e-13 });
  let worst = 0;
  for (let j = 0; j < m; j++) {
    let I = 0;
    for (let i = 0; i < n; i++) I += V[i] * M[i * m + j];
    worst = Math.max(worst, Math.abs(I - spiceCurrents[j]) / Math.abs(spiceCurrents[j]));
  }
  return worst;
}

test('column currents agree with ngspice to 1e-6 (8, 32, 64, 128); a wire 1 % off does not', { skip, timeout: 900_000 }, (t) => {
  const dir = tmpDir('ngspice-');
  const rng = new Rng(2026);
  const cases: [number, number][] = [
    [8, 2],
    [32, 2],
    [64, 2],
    [128, 1],
  ];
  for (const [n, inputs] of cases) {
    // Conductances between 1/200 kΩ and 1/20 kΩ; wires 0.5–3 Ω; driver and sense on for half the sizes.
    const G = Float64Array.from({ length: n * n }, () => 1 / (20e3 + rng.next() * 180e3));
    const wires: Wires = { wireRow_ohm: 0.5 + 2.5 * rng.next(), wireCol_ohm: 0.5 + 2.5 * rng.next(), driver_ohm: n % 64 === 0 ? 100 * rng.next() : 0, sense_ohm: n % 64 === 0 ? 100 * rng.next() : 0 };
    for (let v = 0; v < inputs; v++) {
      const V = Array.from({ length: n }, () => rng.next());
      const I = spice(dir, netlist(G, n, n, wires, V), n);
      const worst = worstDifference(G, n, n, wires, I, V);
      assert.ok(worst <= 1e-6, `${n}×${n}, input ${v}: worst relative difference ${worst.toExponential(2)}`);
      let off = NaN;
      if (v === 0) {
        off = worstDifference(G, n, n, { ...wires, wireRow_ohm: wires.wireRow_ohm * 1.01 }, I, V);
        assert.ok(off > 1e-6, `${n}×${n}: a row wire 1 % off still agrees (${off.toExponential(2)}): the comparison cannot tell`);
      }
      t.diagnostic(`${n}×${n} input ${v}: worst relative difference ${worst.toExponential(2)}${v === 0 ? `; with the row wire 1 % off ${off.toExponential(2)}` : ''}`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
