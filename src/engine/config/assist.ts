/**
 * Editor assistance computed from a config's text, without VS Code: hovers on
 * the network and crossbar fields (the dense mapping, and with the preset
 * the original network's area and a rough energy), and the actions shown
 * above the config (CodeLens). Tolerant of half-typed text.
 */
import { findNodeAtOffset, getNodePath, getNodeValue } from 'jsonc-parser';
import { presetOf } from './checks';
import { ASSUMED_SPIKE_RATE, denseEstimate } from './estimate';
import { configSchema } from './schema';
import { parseJsonText, stripBom, type JsonPath } from './validate';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const posInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined);

/** Schema defaults, read from the schema (the single source of truth). */
const DEFAULTS = {
  crossbar: configSchema.properties.transform.properties.crossbar.default,
  preset: configSchema.properties.hardware.properties.preset.default,
  timesteps: configSchema.properties.hardware.properties.timesteps.default,
};

export interface Hover {
  /** Offsets (in the text without a BOM) of the hovered value or key. */
  start: number;
  end: number;
  markdown: string;
}

const isHoverPath = (p: JsonPath): boolean =>
  (p[0] === 'network' && (p.length === 1 || p[1] === 'layers')) || (p[0] === 'transform' && (p.length === 1 || p[1] === 'crossbar'));

const fmt = (x: number, digits = 3): string => (x === 0 ? '0' : x >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(digits));

/**
 * The hover at `offset` in a config's text, or undefined where there is none.
 * `baseDir` locates a preset given as a path; without it only presets by name are read.
 */
export function hoverAt(input: string, offset: number, options: { baseDir?: string } = {}): Hover | undefined {
  const text = stripBom(input);
  const { tree } = parseJsonText(text);
  if (!tree) return undefined;
  const node = findNodeAtOffset(tree, offset, true);
  if (!node) return undefined;
  const at = getNodePath(node);
  if (!isHoverPath(at)) return undefined;
  // The config as far as it reads: a half-typed value falls back to nothing (network) or the default (the rest).
  const value = obj(getNodeValue(tree));
  const layersRaw = obj(value.network).layers;
  const layers = Array.isArray(layersRaw) && layersRaw.length >= 2 && layersRaw.every((n) => posInt(n) !== undefined) ? (layersRaw as number[]) : undefined;
  if (!layers) return undefined;
  const x = posInt(obj(value.transform).crossbar) ?? DEFAULTS.crossbar;
  const hw = obj(value.hardware);
  const presetName = typeof hw.preset === 'string' && hw.preset ? hw.preset : DEFAULTS.preset;
  const timesteps = posInt(hw.timesteps) ?? DEFAULTS.timesteps;
  const { preset, error } = presetOf(presetName, options.baseDir ?? process.cwd());
  const e = denseEstimate(layers, x, preset, { timesteps });
  const lines: string[] = [];
  lines.push(`**Dense mapping on ${x}×${x} crossbars** — the original network, before any pruning or clustering`, '');
  lines.push('| layer | inputs → outputs | mPEs ⌈in/x⌉·⌈out/x⌉ | cells used |', '|---|---|---|---|');
  e.layers.forEach((l, i) =>
    lines.push(`| ${i + 1} | ${l.inputs} → ${l.outputs} | ${Math.ceil(l.inputs / x)}·${Math.ceil(l.outputs / x)} = ${l.mpes.toLocaleString('en-US')} | ${(100 * l.utilisation).toFixed(0)}% |`),
  );
  lines.push('', `**${e.mpes.toLocaleString('en-US')} mPEs** in all.`);
  if (e.hardware) {
    const h = e.hardware;
    lines.push(
      '',
      `**${h.preset}**: area ≈ **${fmt(h.area.total_mm2)} mm²** (${h.area.mpes.toLocaleString('en-US')} mPEs × ${fmt(h.area.mpeArea_mm2)} mm² + ${h.area.routers.toLocaleString('en-US')} routers); ` +
        `energy ≈ **${fmt(h.energy.total_uJ)} µJ** per classification (crossbar ${fmt(h.energy.crossbar_uJ)}, neurons ${fmt(h.energy.neuron_uJ)}, communication ${fmt(h.energy.communication_uJ)} µJ).`,
      '',
      `_Rough: every neuron assumed to spike in ${Math.round(100 * ASSUMED_SPIKE_RATE)}% of T = ${h.timesteps} timesteps; no training, no simulation. Model estimates, not measured silicon._`,
    );
    if (x > h.maxCrossbar) lines.push('', `⚠ ${x}×${x} exceeds ${h.preset}'s largest reliable crossbar (${h.maxCrossbar}×${h.maxCrossbar}).`);
    // Accuracy on chips needs a trained network: say where it comes from rather than guess it.
    const chips = typeof hw.chips === 'number' && Number.isInteger(hw.chips) && hw.chips > 0 ? hw.chips : 0;
    lines.push(
      '',
      chips
        ? `Hardware accuracy: each run measures it on ${chips} simulated chip${chips === 1 ? '' : 's'} (\`hardware.chips\`) and keeps it in result.json (Run Details).`
        : 'Hardware accuracy (on simulated chips of this preset): set `hardware.chips`, or run `trannsformer evaluate <run> --chips 5`.',
    );
  } else if (error) lines.push('', `Preset "${presetName}": ${error}`);
  return { start: node.offset, end: node.offset + node.length, markdown: lines.join('\n') };
}

export type LensAction = 'run' | 'compare' | 'sweep' | 'results';

export interface Lens {
  /** Offset of the config's opening brace: the lenses sit above its line. */
  offset: number;
  actions: { action: LensAction; title: string }[];
}

/**
 * The actions above a config: Run · Compare modes · Sweep (when the config
 * has a `sweep` section) · Open last results (when `hasResults`). None for
 * text that is not a JSON object.
 */
export function configLenses(input: string, hasResults: boolean): Lens | undefined {
  const text = stripBom(input);
  const { tree } = parseJsonText(text);
  if (!tree || tree.type !== 'object') return undefined;
  const keys = new Set((tree.children ?? []).map((p) => p.children?.[0]?.value as unknown));
  const actions: Lens['actions'] = [
    { action: 'run', title: '$(play) Run' },
    { action: 'compare', title: '$(graph) Compare modes' },
  ];
  if (keys.has('sweep')) actions.push({ action: 'sweep', title: '$(list-tree) Sweep' });
  if (hasResults) actions.push({ action: 'results', title: '$(preview) Open last results' });
  return { offset: tree.offset, actions };
}
