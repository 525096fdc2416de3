/**
 * The effective matrix of a crossbar array under IR drop: the exact DC
 * solution of its resistive network (device-physics.md), once per array.
 *
 * Network: n word lines (rows) × m bit lines (columns). Row i is driven at its
 * left end (column 0) through driver + one wire segment; column j ends below
 * row n−1 in a virtual ground through one wire segment + sense resistance,
 * where its current is read. Between neighbours along a row: wireRow_ohm;
 * along a column: wireCol_ohm; at each cross point the cell G[i·m + j]
 * joins row node (i, j) to column node (i, j). Everything is linear, so the
 * column currents are I = M·V and M is found with one right-hand side per
 * used row (a unit voltage on that row), not per image.
 *
 * Solver: alternating line relaxation (block Gauss–Seidel over the two
 * families of lines). With the column voltages fixed, each row is a
 * tridiagonal system; with the row voltages fixed, each column is one. Both
 * are solved exactly (Thomas), factorised once per line (they depend only on
 * the conductances) and applied to every right-hand side at once, the
 * right-hand sides innermost so the loops run over contiguous memory. Why
 * this and not CG: the wire conductances are 10³–10⁶ times the cells', so the
 * full system is badly conditioned and plain CG crawls, while the line solves
 * absorb the wires exactly and leave only the weak cell coupling to iterate
 * on; it converges in a few sweeps when r·G·n² is small (the regime in which
 * a crossbar is usable at all) and monotonically in any case (the system is
 * symmetric positive definite). When it is slow (r·G·n² ≳ 1, e.g. 2 kΩ cells
 * at 256×256), the sweeps are over-relaxed (block SOR): the two families of
 * lines are a consistently ordered partition, so Young's ω = 2/(1 + √(1 − ρ))
 * follows from the measured Gauss–Seidel contraction ρ (55 → 24 sweeps on
 * puma-32nm's 256×256). After a plain sweep the column-node equations hold
 * exactly and the row-node residual is G_ij·(W_new − W_old): that is the
 * stopping test — its largest value (amperes) relative to the largest column
 * current must fall below `tolerance`; relaxed sweeps end with a plain one
 * that must pass it. Memory is bounded by solving the right-hand sides in chunks.
 */

export interface Wires {
  wireRow_ohm: number;
  wireCol_ohm: number;
  driver_ohm: number;
  sense_ohm: number;
}

export interface IrDropOptions {
  /** Largest row-node residual ÷ largest column current at which to stop. */
  tolerance?: number;
  maxSweeps?: number;
  /** Called after every sweep (a worker thread's heartbeat: see irdropPool.ts). */
  onSweep?: () => void;
  /** Cap on n·m·(right-hand sides) per chunk: bounds memory (two Float64Arrays of that length). */
  chunkCells?: number;
}

export interface IrDropStats {
  sweeps: number;
  residual: number;
}

export const DEFAULT_TOLERANCE = 1e-9;

/** Ideal wires: the network reduces to the cells themselves. */
export const idealWires = (w: Wires): boolean => w.wireRow_ohm === 0 && w.wireCol_ohm === 0 && w.driver_ohm === 0 && w.sense_ohm === 0;

/** Per line of a tridiagonal system with constant off-diagonal −g: 1/d'_k and g/d'_k (the Thomas factors). */
function factorLine(diag: Float64Array, g: number, inv: Float64Array, e: Float64Array): void {
  let prevE = 0;
  for (let k = 0; k < diag.length; k++) {
    const d = diag[k] - g * prevE;
    inv[k] = 1 / d;
    e[k] = g * inv[k];
    prevE = e[k];
  }
}

/**
 * Column currents per unit input on each of the first `used` rows: the result
 * is [used × m], entry (k, j) = current into column j's virtual ground for
 * 1 V on row k and 0 V on every other row. `stats` receives the worst chunk's sweeps and residual.
 */
export function effectiveMatrix(G: Float64Array, n: number, m: number, used: number, wires: Wires, opts: IrDropOptions = {}, stats?: IrDropStats): Float64Array {
  if (G.length !== n * m) throw new Error(`internal error: ${G.length} conductances for a ${n}×${m} array`);
  const out = new Float64Array(used * m);
  if (idealWires(wires)) {
    out.set(G.subarray(0, used * m));
    if (stats) Object.assign(stats, { sweeps: 0, residual: 0 });
    return out;
  }
  if (!(wires.wireRow_ohm > 0 && wires.wireCol_ohm > 0)) throw new Error('internal error: the IR-drop network needs wire resistance > 0 on rows and columns');
  const tol = opts.tolerance ?? DEFAULT_TOLERANCE;
  const maxSweeps = opts.maxSweeps ?? 1000;
  const gr = 1 / wires.wireRow_ohm;
  const gc = 1 / wires.wireCol_ohm;
  const gd = 1 / (wires.driver_ohm + wires.wireRow_ohm);
  const gs = 1 / (wires.sense_ohm + wires.wireCol_ohm);
  // Thomas factors of every row (length m) and every column (length n), and the forward coefficients G·(1/d') and g·(1/d').
  const row = lineFactors(G, n, m, true, gr, gd);
  const col = lineFactors(G, n, m, false, gc, gs);
  // Right-hand sides per chunk: a quarter of the side (at least 16) keeps a small array's U and W in cache (64×64: 1 MB) and long inner loops for large ones.
  const R = Math.max(1, Math.min(used, Math.floor((opts.chunkCells ?? 1 << 22) / (n * m)), opts.chunkCells ? Infinity : Math.max(16, n >> 2)));
  const U = new Float64Array(n * m * R);
  const W = new Float64Array(n * m * R);
  const Y = new Float64Array(n * R);
  const Yr = new Float64Array(m * R);
  const dMax = new Float64Array(n);
  let worst: IrDropStats = { sweeps: 0, residual: 0 };
  for (let r0 = 0; r0 < used; r0 += R) {
    const rc = Math.min(R, used - r0);
    W.fill(0);
    let sweep = 0;
    let residual = Infinity;
    let previous = Infinity;
    let omega = 1;
    while (true) {
      opts.onSweep?.();
      if (++sweep > maxSweeps) throw new Error(`IR-drop solver did not converge in ${maxSweeps} sweeps on a ${n}×${m} array (residual ${residual.toExponential(2)}): the wire resistance is too high for this size`);
      if (sweep === 1) firstRows(m, R, rc, r0, gd, row, U);
      else solveRows(n, m, R, rc, r0, gd, row, U, W, Yr, omega);
      const maxRes = solveColumns(G, n, m, R, rc, col, U, W, Y, omega, dMax);
      let maxI = 0;
      const last = (n - 1) * m * R;
      for (let q = last; q < last + m * R; q++) maxI = Math.max(maxI, Math.abs(W[q]));
      const change = maxI > 0 ? maxRes / (gs * maxI) : 0;
      if (omega === 1) {
        // A plain sweep: `change` is the exact row-node residual (the column nodes hold exactly).
        residual = change;
        if (residual <= tol) break;
        // Two unknown families form a consistently ordered partition (Young): from the Gauss–Seidel contraction ρ, ω = 2/(1 + √(1 − ρ)).
        // Estimated once the start-up transient has passed (sweep 6: earlier ratios underestimate ρ).
        if (sweep >= 6 && previous < Infinity) {
          const rho = Math.min(residual / previous, 0.9999);
          if (rho > 0.2) omega = 2 / (1 + Math.sqrt(1 - rho));
        }
        previous = residual;
      } else if (change <= tol) omega = 1; // relaxed sweeps have no exact residual: confirm with a plain one
    }
    if (sweep > worst.sweeps) worst = { sweeps: sweep, residual };
    for (let j = 0; j < m; j++) {
      const base = ((n - 1) * m + j) * R;
      for (let k = 0; k < rc; k++) out[(r0 + k) * m + j] = gs * W[base + k];
    }
  }
  if (stats) Object.assign(stats, worst);
  return out;
}

/** Per node of every row (rows = true; node (i, j) at i·m + j) or every column (node at j·n + i): Thomas factors and forward coefficients. */
interface Lines {
  /** G·(1/d'): the cell's coupling into the forward sweep. */
  c: Float64Array;
  /** g·(1/d'): the previous node's weight in the forward sweep. */
  a: Float64Array;
  /** g/d': the next node's weight in the back substitution (0 at a line's last node). */
  e: Float64Array;
  /** 1/d'. */
  inv: Float64Array;
}

function lineFactors(G: Float64Array, n: number, m: number, rows: boolean, g: number, gEnd: number): Lines {
  const [lines, len] = rows ? [n, m] : [m, n];
  const L: Lines = { c: new Float64Array(n * m), a: new Float64Array(n * m), e: new Float64Array(n * m), inv: new Float64Array(n * m) };
  const diag = new Float64Array(len);
  for (let l = 0; l < lines; l++) {
    const at = (k: number) => (rows ? l * m + k : k * m + l);
    // Rows: driver end at k = 0; columns: sense end at k = n − 1.
    for (let k = 0; k < len; k++) diag[k] = G[at(k)] + (rows ? (k === 0 ? gEnd : g) + (k < len - 1 ? g : 0) : (k > 0 ? g : 0) + (k < len - 1 ? g : gEnd));
    const o = l * len;
    factorLine(diag, g, L.inv.subarray(o, o + len), L.e.subarray(o, o + len));
    L.e[o + len - 1] = 0;
    for (let k = 0; k < len; k++) {
      L.c[o + k] = G[at(k)] * L.inv[o + k];
      L.a[o + k] = k === 0 ? 0 : g * L.inv[o + k];
    }
  }
  return L;
}

/** The first row solve, from W = 0: only row r0 + k's driver feeds right-hand side k, so each row has one nonzero solution. */
function firstRows(m: number, R: number, rc: number, r0: number, gd: number, L: Lines, U: Float64Array): void {
  U.fill(0);
  for (let i = r0; i < r0 + rc; i++) {
    const row = i * m;
    const k = i - r0;
    let y = gd * L.inv[row];
    U[row * R + k] = y;
    for (let j = 1; j < m; j++) U[(row + j) * R + k] = y = L.a[row + j] * y;
    for (let j = m - 2; j >= 0; j--) U[(row + j) * R + k] += L.e[row + j] * U[(row + j + 1) * R + k];
  }
}

/** Every row's tridiagonal solve for its node voltages U, the column voltages W held fixed (then U ← U + ω(x − U)). */
function solveRows(n: number, m: number, R: number, rc: number, r0: number, gd: number, L: Lines, U: Float64Array, W: Float64Array, Y: Float64Array, omega: number): void {
  const { c, a, e, inv } = L;
  for (let i = 0; i < n; i++) {
    const row = i * m;
    // Forward: y_j = G_ij/d'_j·W_ij + [j = 0]·gd/d'_0·V_i + gr/d'_j·y_{j−1} (a_0 = 0; Y[−R…] is never read then).
    for (let k = 0; k < rc; k++) Y[k] = c[row] * W[row * R + k];
    if (i >= r0 && i < r0 + rc) Y[i - r0] += gd * inv[row];
    for (let j = 1; j < m; j++) {
      const cj = c[row + j];
      const aj = a[row + j];
      const b = (row + j) * R;
      const y = j * R;
      for (let k = 0; k < rc; k++) Y[y + k] = cj * W[b + k] + aj * Y[y - R + k];
    }
    backSubstitute(Y, U, e, row, m, R, rc, omega);
  }
}

/** x_j = y_j + e_j·x_{j+1} from the line's end, written into X (in place of Y, too): X ← X + ω(x − X). */
function backSubstitute(Y: Float64Array, X: Float64Array, e: Float64Array, line: number, len: number, R: number, rc: number, omega: number): void {
  const last = (line + len - 1) * R;
  const yl = (len - 1) * R;
  if (omega === 1) for (let k = 0; k < rc; k++) X[last + k] = Y[yl + k];
  else for (let k = 0; k < rc; k++) X[last + k] += omega * (Y[yl + k] - X[last + k]);
  for (let j = len - 2; j >= 0; j--) {
    const ej = e[line + j];
    const b = (line + j) * R;
    const y = j * R;
    if (omega === 1)
      for (let k = 0; k < rc; k++) {
        const x = Y[y + k] + ej * Y[y + R + k];
        Y[y + k] = x;
        X[b + k] = x;
      }
    else
      for (let k = 0; k < rc; k++) {
        const x = Y[y + k] + ej * Y[y + R + k];
        Y[y + k] = x;
        X[b + k] += omega * (x - X[b + k]);
      }
  }
}

/** Every column's tridiagonal solve for W, U held fixed; returns the largest row-node residual |G_ij·ΔW_ij|. */
function solveColumns(G: Float64Array, n: number, m: number, R: number, rc: number, L: Lines, U: Float64Array, W: Float64Array, Y: Float64Array, omega: number, dMax: Float64Array): number {
  const { c, a, e } = L;
  let maxRes = 0;
  for (let j = 0; j < m; j++) {
    const col = j * n;
    const c0 = c[col];
    for (let k = 0; k < rc; k++) Y[k] = c0 * U[j * R + k];
    for (let i = 1; i < n; i++) {
      const ci = c[col + i];
      const ai = a[col + i];
      const b = (i * m + j) * R;
      const y = i * R;
      for (let k = 0; k < rc; k++) Y[y + k] = ci * U[b + k] + ai * Y[y - R + k];
    }
    for (let i = n - 1; i >= 0; i--) {
      const b = (i * m + j) * R;
      const y = i * R;
      // The bottom node has no neighbour below (e = 0 there; `below` then points at itself).
      const ei = e[col + i];
      const below = i < n - 1 ? y + R : y;
      let worst = 0;
      for (let k = 0; k < rc; k++) {
        const x = Y[y + k] + ei * Y[below + k];
        Y[y + k] = x;
        const d = omega * (x - W[b + k]);
        const ad = d < 0 ? -d : d;
        if (ad > worst) worst = ad;
        W[b + k] += d;
      }
      dMax[i] = worst;
    }
    for (let i = 0; i < n; i++) {
      const res = G[i * m + j] * dMax[i];
      if (res > maxRes) maxRes = res;
    }
  }
  return maxRes;
}
