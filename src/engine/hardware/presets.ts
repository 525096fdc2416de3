/**
 * Technology presets of `hardware-model.md`: data files in presets/, each
 * field with its source, loaded by name or by path, with fields borrowed
 * from another preset resolved and marked, and the caveats a report lists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { UserError } from '../core/errors';
import { DEVICE_FIELDS, DEVICE_RANGES, type DeviceField } from '../config/deviceFields';

export const PRESET_FIELDS = [
  'clockMHz',
  'bitsPerCell',
  'a_cell_um2',
  'a_rowDriver_um2',
  'a_neuron_um2',
  'a_periphery_um2',
  'a_router_um2',
  'mpesPerRouter',
  'e_cellRead_pJ',
  'e_rowDrive_pJ',
  'e_neuronIntegrate_pJ',
  'e_neuronFire_pJ',
  'e_packetHop_pJ',
] as const;
export const OPTIONAL_FIELDS = ['e_adc_pJ', 'adcBits', 'a_adc_um2', 'e_dac_pJ'] as const;
export type PresetField = (typeof PRESET_FIELDS)[number] | (typeof OPTIONAL_FIELDS)[number];

export interface FieldValue {
  value: number;
  source: string;
  derived?: string;
  estimate?: boolean;
  /** Set when the value came from another preset. */
  borrowedFrom?: string;
}

export interface Preset {
  name: string;
  description: string;
  /** Largest crossbar the technology operates reliably. */
  maxCrossbar: number;
  /** Where the preset was read from. */
  file: string;
  fields: Partial<Record<PresetField, FieldValue>>;
  /** The device model (`device.ts`): its fields with sources, borrowed ones marked. */
  device: DeviceSpec;
}

/** The presets folder: beside the bundle's folder (dist/ → presets/) or three up from the source (src/engine/hardware/ → presets/). */
function presetsDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'presets'), path.resolve(__dirname, '..', '..', '..', 'presets')];
  return candidates.find((d) => fs.existsSync(d)) ?? candidates[0];
}

export function listPresets(): string[] {
  try {
    return fs.readdirSync(presetsDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

/** Presets are small: a larger file is not a preset (and is not read into memory). */
export const MAX_PRESET_BYTES = 1 << 20;

/** A short, printable form of a value from a preset file (names and keys; never more than a few words of it). */
function shown(v: unknown): string {
  const s = String(v).replace(/[^\u0020-\u007e\u0080-\uffff]/g, '?');
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 39)}…` : s);
}

/** Line and column of a character offset, for a JSON syntax error. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length;
  return `line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

/**
 * Read a preset file. Errors say which file and what is wrong — never the
 * file's bytes: a preset path may name any file (a typo, a secret), and the
 * message reaches logs and editor hovers. Only regular files of at most
 * MAX_PRESET_BYTES are read.
 */
function readPresetFile(file: string): { raw: Record<string, unknown>; file: string } {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new UserError(file, `is not a preset file (${st.isDirectory() ? 'a folder' : 'not a regular file'})`);
    if (st.size > MAX_PRESET_BYTES) throw new UserError(file, `is not a preset file (${st.size} bytes; presets are at most ${MAX_PRESET_BYTES})`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(file, code === 'ENOENT' ? 'preset file not found' : `cannot read the preset (${code ?? 'read error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the error: say where and what kind of error instead.
    const errors: ParseError[] = [];
    parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    const pos = /at position (\d+)/.exec((e as Error).message);
    const at = first ? `${lineColumn(text, first.offset)}: ${printParseErrorCode(first.error)}` : pos ? lineColumn(text, Number(pos[1])) : undefined;
    throw new UserError(file, `is not valid JSON${at ? ` (${at})` : ''}; a preset is a JSON object (see presets/ for examples)`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(file, 'a preset must be a JSON object');
  return { raw: raw as Record<string, unknown>, file };
}

/** A preset by name (from presets/) or by path (a user's copy), with borrowed fields resolved and marked. */
export function loadPreset(nameOrPath: string, baseDir = process.cwd(), seen: string[] = []): Preset {
  const isPath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json');
  const file = isPath ? path.resolve(baseDir, nameOrPath) : path.join(presetsDir(), `${nameOrPath}.json`);
  if (!isPath && !fs.existsSync(file)) throw new UserError(nameOrPath, `no such preset; presets: ${listPresets().join(', ')} (or give a path to a preset file)`);
  const { raw } = readPresetFile(file);
  const name = typeof raw.name === 'string' && raw.name.length <= 80 ? raw.name : path.basename(file, '.json');
  if (seen.includes(name)) throw new UserError(file, `borrowFrom makes a cycle: ${[...seen, name].join(' → ')}`);
  const maxCrossbar = raw.maxCrossbar;
  if (typeof maxCrossbar !== 'number' || !Number.isInteger(maxCrossbar) || maxCrossbar < 8)
    throw new UserError(`${file}: maxCrossbar`, 'must be a whole number of at least 8');
  const fields: Preset['fields'] = {};
  const given = (raw.fields ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(given)) {
    if (!(PRESET_FIELDS as readonly string[]).includes(k) && !(OPTIONAL_FIELDS as readonly string[]).includes(k))
      throw new UserError(`${file}: fields.${/^[\w-]{1,40}$/.test(k) ? k : shown(k)}`, `unknown field; fields: ${[...PRESET_FIELDS, ...OPTIONAL_FIELDS].join(', ')}`);
    const f = v as Partial<FieldValue>;
    if (!f || typeof f.value !== 'number' || !Number.isFinite(f.value) || f.value < 0)
      throw new UserError(`${file}: fields.${k}.value`, 'must be a number ≥ 0');
    if (typeof f.source !== 'string' || !f.source) throw new UserError(`${file}: fields.${k}.source`, 'say where the value comes from');
    fields[k as PresetField] = { value: f.value, source: f.source, ...(f.derived ? { derived: f.derived } : {}), ...(f.estimate ? { estimate: true } : {}) };
  }
  let device = parseDevice(raw.device, file);
  if (raw.borrowFrom !== undefined && (typeof raw.borrowFrom !== 'string' || !raw.borrowFrom || raw.borrowFrom.length > 4096 || raw.borrowFrom.includes('\0')))
    throw new UserError(`${file}: borrowFrom`, 'must name a preset or a preset file');
  if (typeof raw.borrowFrom === 'string') {
    const lender = loadPreset(raw.borrowFrom, path.dirname(file), [...seen, name]);
    for (const k of [...PRESET_FIELDS, ...OPTIONAL_FIELDS])
      if (!fields[k] && lender.fields[k]) fields[k] = { ...lender.fields[k]!, borrowedFrom: lender.fields[k]!.borrowedFrom ?? lender.name };
    device = borrowDevice(device, lender.device, lender.name);
  }
  checkDevice(device, file);
  const missing = PRESET_FIELDS.filter((k) => !fields[k]);
  if (missing.length) throw new UserError(file, `lacks ${missing.join(', ')} and borrows them from no preset (add "borrowFrom")`);
  return { name, description: typeof raw.description === 'string' ? raw.description : '', maxCrossbar, file, fields, device };
}

/** A field's value (the caller knows the preset has it: a required field, or one checked first). */
export const presetValue = (p: Preset, k: PresetField): number => p.fields[k]!.value;

/** Every field the preset borrowed or estimated, for the report. */
export function presetCaveats(p: Preset): string[] {
  const out: string[] = [];
  for (const [k, f] of Object.entries(p.fields)) {
    if (f.borrowedFrom) out.push(`${k} = ${f.value} borrowed from ${f.borrowedFrom} (${f.source})`);
    else if (f.estimate) out.push(`${k} = ${f.value} is an estimate (${f.source}${f.derived ? `; ${f.derived}` : ''})`);
  }
  return [...out, ...deviceCaveats(p.device)];
}

// ── The device model (`"device"`): read and checked here with the rest of the preset; simulated in device.ts. ──

export { DEVICE_FIELDS, type DeviceField } from '../config/deviceFields';
/** The one text field: the distribution of programming variation. */
export const VARIATION_MODELS = ['normal', 'lognormal'] as const;
export type VariationModel = (typeof VARIATION_MODELS)[number];

export interface DeviceFieldValue {
  value: number;
  source: string;
  derived?: string;
  estimate?: boolean;
  borrowedFrom?: string;
}
export interface DeviceSpec {
  fields: Partial<Record<DeviceField, DeviceFieldValue>>;
  variationModel?: { value: VariationModel; source: string; borrowedFrom?: string };
}

const RANGES = DEVICE_RANGES;

/** Parse and check a preset's `"device"` object; errors name the file and the field. */
export function parseDevice(raw: unknown, file: string): DeviceSpec {
  if (raw === undefined) return { fields: {} };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(`${file}: device`, 'must be an object of fields, each {"value", "source"}');
  const spec: DeviceSpec = { fields: {} };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const at = `${file}: device.${/^[\w-]{1,40}$/.test(k) ? k : '?'}`;
    const f = v as { value?: unknown; source?: unknown; derived?: unknown; estimate?: unknown };
    if (!f || typeof f !== 'object') throw new UserError(at, 'must be {"value", "source"}');
    if (typeof f.source !== 'string' || !f.source) throw new UserError(`${at}.source`, 'say where the value comes from');
    if (k === 'variationModel') {
      if (!(VARIATION_MODELS as readonly unknown[]).includes(f.value)) throw new UserError(`${at}.value`, `must be one of ${VARIATION_MODELS.join(', ')}`);
      spec.variationModel = { value: f.value as VariationModel, source: f.source };
      continue;
    }
    if (!(DEVICE_FIELDS as readonly string[]).includes(k)) throw new UserError(at, `unknown device field; fields: ${[...DEVICE_FIELDS, 'variationModel'].join(', ')}`);
    // A config may override the ADC's bits as a device field; in a preset they sit beside the ADC's energy and area.
    if (k === 'adcBits') throw new UserError(at, 'the ADC resolution is the preset\'s "fields" entry adcBits, beside e_adc_pJ and a_adc_um2');
    const [min, max, whole, what] = RANGES[k as DeviceField];
    if (typeof f.value !== 'number' || !Number.isFinite(f.value) || f.value < min || f.value > max || (whole && !Number.isInteger(f.value)))
      throw new UserError(`${at}.value`, `must be ${what}`);
    spec.fields[k as DeviceField] = { value: f.value, source: f.source, ...(f.derived ? { derived: String(f.derived) } : {}), ...(f.estimate ? { estimate: true } : {}) };
  }
  return spec;
}

/** Fields the preset lacks, taken from a lender and marked. */
export function borrowDevice(own: DeviceSpec, lender: DeviceSpec, lenderName: string): DeviceSpec {
  const fields = { ...own.fields };
  for (const k of DEVICE_FIELDS) if (!fields[k] && lender.fields[k]) fields[k] = { ...lender.fields[k]!, borrowedFrom: lender.fields[k]!.borrowedFrom ?? lenderName };
  const variationModel = own.variationModel ?? (lender.variationModel ? { ...lender.variationModel, borrowedFrom: lender.variationModel.borrowedFrom ?? lenderName } : undefined);
  return { fields, ...(variationModel ? { variationModel } : {}) };
}

/** Cross-field checks once borrowing is done (the file named is the preset's). */
export function checkDevice(spec: DeviceSpec, file: string): void {
  const on = spec.fields.rOn_ohm?.value;
  const off = spec.fields.rOff_ohm?.value;
  if ((on === undefined) !== (off === undefined)) throw new UserError(`${file}: device`, 'give both rOn_ohm and rOff_ohm (or neither)');
  if (on !== undefined && off !== undefined && off <= on) throw new UserError(`${file}: device.rOff_ohm.value`, `must be above rOn_ohm (${on} Ω)`);
  const stuck = (spec.fields.stuckOnRate?.value ?? 0) + (spec.fields.stuckOffRate?.value ?? 0);
  const [wr, wc] = [spec.fields.wireRow_ohm?.value ?? 0, spec.fields.wireCol_ohm?.value ?? 0];
  if ((wr > 0) !== (wc > 0)) throw new UserError(`${file}: device`, `give row and column wires both a resistance or neither (wireRow_ohm ${wr}, wireCol_ohm ${wc})`);
  if (wr === 0 && (spec.fields.driver_ohm?.value || spec.fields.sense_ohm?.value))
    throw new UserError(`${file}: device`, 'driver and sense resistance need wire resistance > 0 (the network is solved segment by segment)');
  if (stuck > 1) throw new UserError(`${file}: device.stuckOffRate.value`, `stuckOnRate + stuckOffRate is ${stuck}, more than every cell`);
}

/** Every device field a preset borrowed or estimated, for the report. */
export function deviceCaveats(spec: DeviceSpec): string[] {
  const out: string[] = [];
  for (const [k, f] of Object.entries(spec.fields)) {
    if (f.borrowedFrom) out.push(`device.${k} = ${f.value} borrowed from ${f.borrowedFrom} (${f.source})`);
    else if (f.estimate) out.push(`device.${k} = ${f.value} is an estimate (${f.source}${f.derived ? `; ${f.derived}` : ''})`);
  }
  return out;
}

/** A preset with device fields overridden by a config's `hardware.device` (checked as a preset's own would be); errors name `where`. */
export function withDeviceOverrides(p: Preset, overrides: Partial<Record<DeviceField, number>> | undefined, where: string): Preset {
  const { adcBits, ...rest } = overrides ?? {};
  const given = Object.entries(rest);
  if (adcBits !== undefined) p = adcAtBits(p, adcBits, `${where}.adcBits`);
  if (!given.length) return p;
  const fields = { ...p.device.fields };
  for (const [k, v] of given) {
    if (!(DEVICE_FIELDS as readonly string[]).includes(k)) throw new UserError(`${where}.${/^[\w-]{1,40}$/.test(k) ? k : '?'}`, `unknown device field; fields: ${DEVICE_FIELDS.join(', ')}`);
    const [min, max, whole, what] = RANGES[k as DeviceField];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (whole && !Number.isInteger(v))) throw new UserError(`${where}.${k}`, `must be ${what}`);
    fields[k as DeviceField] = { value: v, source: `the config's ${where}.${k} (overrides ${p.name})` };
  }
  const device = { ...p.device, fields };
  checkDevice(device, `${p.file} with ${where}`);
  return { ...p, device };
}

/**
 * The preset with its ADC at `bits` (a config's `hardware.device.adcBits`):
 * energy per conversion and area scale as 2^bits from the preset's own
 * figures at its own bits — the Walden figure of merit E = FOM·2^bits with
 * FOM = e_adc_pJ ÷ 2^adcBits, and the area likewise (an estimate) — so at
 * the preset's bits nothing changes. Errors name `where`.
 */
export function adcAtBits(p: Preset, bits: unknown, where: string): Preset {
  const own = p.fields.adcBits;
  if (!own || !p.fields.e_adc_pJ || own.value === 0) throw new UserError(where, `${p.name} has no ADC (fields.adcBits and e_adc_pJ): its columns are read by neurons, so there are no ADC bits to set`);
  const [min, max, , what] = DEVICE_RANGES.adcBits;
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < min || bits > max) throw new UserError(where, `must be ${what}`);
  if (bits === own.value) return p;
  const scale = 2 ** (bits - own.value);
  const scaled = (k: 'e_adc_pJ' | 'a_adc_um2'): FieldValue | undefined => {
    const f = p.fields[k];
    if (!f) return undefined;
    const rule = k === 'e_adc_pJ' ? 'Walden figure of merit, E = FOM·2^bits' : 'area ∝ 2^bits';
    return { value: f.value * scale, source: `${p.name}'s ${f.value} at ${own.value} bits (${f.source}) scaled to ${bits} bits by ${where}`, derived: `${rule}: ${f.value} × 2^(${bits} − ${own.value})`, estimate: true };
  };
  const a = scaled('a_adc_um2');
  const fields = { ...p.fields, adcBits: { value: bits, source: `the config's ${where} (overrides ${p.name}'s ${own.value})` }, e_adc_pJ: scaled('e_adc_pJ')!, ...(a ? { a_adc_um2: a } : {}) };
  return { ...p, fields };
}
