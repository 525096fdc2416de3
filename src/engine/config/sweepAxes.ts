/**
 * What a sweep axis names: one of the named axes, or a dotted path to a
 * numeric field of the config schema. One answer for the sweep planner (which
 * refuses a bad axis) and the config checks (which show it in the editor).
 */
import { configSchema, SWEEP_AXES, type SweepConfig } from './schema';
import { formatPath, type JsonPath } from './problems';

export type AxisResolution = { path: JsonPath } | { problem: string };

/** An index into an array the schema does not bound: far above any list a config holds (a larger one would allocate the gap). */
const MAX_UNBOUNDED_INDEX = 1024;

/**
 * The config path an axis sets, or why it sets none. With `config` (the
 * config the axis applies to), an array index must name an item it has: a
 * sweep over `network.layers.7` of a 4-layer network would add layers.
 */
export function resolveAxis(axis: string, config?: unknown): AxisResolution {
  // Own properties only: an axis named "constructor" or "__proto__" is not an axis.
  const named = Object.hasOwn(SWEEP_AXES, axis) ? (SWEEP_AXES as Record<string, readonly string[]>)[axis] : undefined;
  if (named) return { path: [...named] };
  const parts: JsonPath = axis.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (parts.some((p) => p === '') || parts[0] === 'sweep')
    return { problem: `"${axis}" is neither an axis (${Object.keys(SWEEP_AXES).join(', ')}) nor a dotted path to a config field` };
  let node: { type?: unknown; properties?: Record<string, unknown>; items?: unknown; maxItems?: unknown } = configSchema as never;
  for (const [i, p] of parts.entries()) {
    if (typeof p === 'number' && node.type === 'array') {
      const max = typeof node.maxItems === 'number' ? node.maxItems : MAX_UNBOUNDED_INDEX;
      if (p >= max) return { problem: `"${axis}": index ${p} is past the ${max} items ${formatPath(parts.slice(0, i))} may have` };
    }
    const next = typeof p === 'number' ? (node.type === 'array' ? node.items : undefined) : (node.properties && Object.hasOwn(node.properties, p) ? node.properties[p] : undefined);
    if (!next) return { problem: `"${axis}" is not a config field (no "${String(p)}" at ${formatPath(parts.slice(0, i))})` };
    node = next as typeof node;
  }
  if (node.type !== 'number' && node.type !== 'integer') return { problem: `"${axis}" is not a numeric field; only numeric fields (or the named axes) can be swept` };
  const beyond = config === undefined ? undefined : indexBeyond(axis, parts, config);
  return beyond ? { problem: beyond } : { path: parts };
}

/** Why an index of `parts` names no item of the list `config` holds there (nothing when the list is not written: its default fills it). */
function indexBeyond(axis: string, parts: JsonPath, config: unknown): string | undefined {
  let at = config;
  for (const [i, p] of parts.entries()) {
    if (at === null || typeof at !== 'object') return undefined;
    if (typeof p === 'number' && Array.isArray(at) && p >= at.length)
      return `"${axis}": index ${p} is beyond ${formatPath(parts.slice(0, i))}, which has ${at.length} item${at.length === 1 ? '' : 's'} (${formatPath(parts.slice(0, i))}.0 to .${at.length - 1})`;
    at = (at as Record<string | number, unknown>)[p];
  }
  return undefined;
}

/** How many points a sweep spec plans: the grid's combinations, each crossed with every random sample (as the planner expands them). */
export function countSweepPoints(spec: Partial<SweepConfig>): number {
  let n = 1;
  for (const values of Object.values(spec.grid ?? {})) n *= Array.isArray(values) ? values.length : 0;
  if (spec.random && typeof spec.random.samples === 'number') n *= spec.random.samples;
  return n;
}
