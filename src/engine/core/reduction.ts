/**
 * A reduction (1 − x ÷ reference, as result.json and compare.json hold it)
 * in words, the one wording of the report and Run Details: "41.0% fewer
 * mPEs" for a reduction, "12.0% more mPEs" for an increase, "no change in
 * mPEs" within 0.05% — never a signed or negative "fewer". `mass` nouns
 * (area, energy) take "less". The webview may not import engine code, so
 * webview/details/reduction.ts is this function again for the browser;
 * test/unit/reduction-wording.test.ts holds the two to the same text.
 */
export function reductionText(r: unknown, noun: string, mass = false): string {
  if (typeof r !== 'number' || !Number.isFinite(r)) return '—';
  const p = Math.abs(100 * r);
  if (p < 0.05) return `no change in ${noun}`;
  return `${p.toFixed(1)}% ${r > 0 ? (mass ? 'less' : 'fewer') : 'more'} ${noun}`;
}
