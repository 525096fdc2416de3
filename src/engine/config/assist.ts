/**
 * Editor assistance computed from a config's text, without VS Code: hovers on
 * the network and crossbar fields (the dense mapping, and with the preset
 * the original network's area and a rough energy, and the last run's
 * hardware accuracy when the caller passes it in), and the actions shown
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

/**
 * The newest run of the hovered config with hardware accuracy on simulated
 * chips, as its result.json holds it (`hardware.hardwareAccuracy`); read by
 * the caller (the hover does no I/O of its own for it).
 */
export interface HoverRunFigure {
  /** The run's folder name. */
  run: string;
  /** When the run ended (ISO time), or started when it has no end. */
  at: string;
  preset: string;
  crossbar: number;
  softwareAccuracy: number;
  mean: number;
  /** Sample std over chips (none with one chip). */
  std?: number;
  min: number;
  max: number;
  chips: number;
}

const isHoverPath = (p: JsonPath): boolean =>
  (p[0] === 'network' && (p.length === 1 || p[1] === 'layers')) ||
  (p[0] === 'transform' && (p.length === 1 || p[1] === 'crossbar')) ||
  (p[0] === 'hardware' && (p.length === 1 || p[1] === 'preset' || p[1] === 'chips'));

const fmt = (x: number, digits = 3): string => (x === 0 ? '0' : x >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(digits));
/** A fraction in percent points, 2 decimals (as Run Details shows it). */
const pts = (x: number): string => (100 * x).toFixed(2);
const pct = (x: number): string => `${pts(x)}%`;
/** "2026-12-02 13:02 UTC" from an ISO time; nothing from text that is not one. */
const when = (iso: string): string => (Number.isNaN(Date.parse(iso)) ? '' : `, ${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`);

/**
 * One line: the last run's hardware accuracy (mean ± std, min–max, chips)
 * beside its software accuracy, naming its preset and size and saying so
 * when they are not the config's as it reads now.
 */
function lastRunLine(r: HoverRunFigure, preset: string, crossbar: number): string {
  const spread = r.chips > 1 ? `${r.std === undefined ? '' : ` ± ${pts(r.std)}`} (${pts(r.min)}–${pts(r.max)})` : '';
  const other = r.preset !== preset || r.crossbar !== crossbar ? ` (this config now: ${preset} ${crossbar}×${crossbar})` : '';
  return (
    `Last measured hardware accuracy: **${pct(r.mean)}${spread} on ${r.chips} chip${r.chips === 1 ? '' : 's'}**, ${r.preset} ${r.crossbar}×${r.crossbar}${other}; ` +
    `software ${pct(r.softwareAccuracy)} — run \`${r.run.replace(/`/g, "'")}\`${when(r.at)}.`
  );
}

/**
 * The hover at `offset` in a config's text, or undefined where there is none.
 * `baseDir` locates a preset given as a path; without it only presets by name are read.
 * `lastRun`: the newest run of this config with hardware accuracy, shown as one line.
 */
export function hoverAt(input: string, offset: number, options: { baseDir?: string; lastRun?: HoverRunFigure } = {}): Hover | undefined {
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
  // The measured figure first: the hover is scrolled, and the estimates below are long.
  if (options.lastRun) lines.push(lastRunLine(options.lastRun, presetName, x), '');
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
