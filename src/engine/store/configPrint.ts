/**
 * A run's config as a resume checks it: a fingerprint recorded when the run
 * starts (result.json) and with every checkpoint, and the fields in which
 * two configs differ, named as dotted paths for the refusal message.
 */
import { createHash } from 'node:crypto';

/** SHA-256 of the config's JSON as config.json holds it (key order as written). */
export function configSha256(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config) ?? 'undefined').digest('hex');
}

/** The dotted paths at which `a` and `b` differ (a list or scalar that differs is one field), at most `max`. */
export function configFieldsDiffer(a: unknown, b: unknown, max = 20, at = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObj(a) || !isObj(b)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [at || '(the whole config)'];
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (out.length >= max) break;
    out.push(...configFieldsDiffer(a[k], b[k], max - out.length, at ? `${at}.${k}` : k));
  }
  return out;
}
