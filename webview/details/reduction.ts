/**
 * A reduction (1 − x ÷ reference) in words: "41.0% fewer mPEs", "12.0% more
 * mPEs", "no change in mPEs" — the report's wording. This is
 * src/engine/core/reduction.ts again (browser code may import only types
 * from the engine); test/unit/reduction-wording.test.ts keeps them alike.
 */
export function reductionText(r: unknown, noun: string, mass = false): string {
  if (typeof r !== 'number' || !Number.isFinite(r)) return '—';
  const p = Math.abs(100 * r);
  if (p < 0.05) return `no change in ${noun}`;
  return `${p.toFixed(1)}% ${r > 0 ? (mass ? 'less' : 'fewer') : 'more'} ${noun}`;
}
