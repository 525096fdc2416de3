/**
 * Technology presets of `hardware-model.md`: data files in presets/, each
 * field with its source, loaded by name or by path, with fields borrowed
 * from another preset resolved and marked, and the caveats a report lists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../core/errors';

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
export const OPTIONAL_FIELDS = ['e_adc_pJ', 'adcBits', 'e_dac_pJ'] as const;
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

function readPresetFile(file: string): { raw: Record<string, unknown>; file: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(file, code === 'ENOENT' ? 'preset file not found' : `cannot read the preset (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== 'object') throw new UserError(file, 'a preset must be a JSON object');
  return { raw: raw as Record<string, unknown>, file };
}

/** A preset by name (from presets/) or by path (a user's copy), with borrowed fields resolved and marked. */
export function loadPreset(nameOrPath: string, baseDir = process.cwd(), seen: string[] = []): Preset {
  const isPath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json');
  const file = isPath ? path.resolve(baseDir, nameOrPath) : path.join(presetsDir(), `${nameOrPath}.json`);
  if (!isPath && !fs.existsSync(file)) throw new UserError(nameOrPath, `no such preset; presets: ${listPresets().join(', ')} (or give a path to a preset file)`);
  const { raw } = readPresetFile(file);
  const name = typeof raw.name === 'string' ? raw.name : path.basename(file, '.json');
  if (seen.includes(name)) throw new UserError(file, `borrowFrom makes a cycle: ${[...seen, name].join(' → ')}`);
  const maxCrossbar = raw.maxCrossbar;
  if (typeof maxCrossbar !== 'number' || !Number.isInteger(maxCrossbar) || maxCrossbar < 8)
    throw new UserError(`${file}: maxCrossbar`, 'must be a whole number of at least 8');
  const fields: Preset['fields'] = {};
  const given = (raw.fields ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(given)) {
    if (!(PRESET_FIELDS as readonly string[]).includes(k) && !(OPTIONAL_FIELDS as readonly string[]).includes(k))
      throw new UserError(`${file}: fields.${k}`, `unknown field; fields: ${[...PRESET_FIELDS, ...OPTIONAL_FIELDS].join(', ')}`);
    const f = v as Partial<FieldValue>;
    if (!f || typeof f.value !== 'number' || !Number.isFinite(f.value) || f.value < 0)
      throw new UserError(`${file}: fields.${k}.value`, 'must be a number ≥ 0');
    if (typeof f.source !== 'string' || !f.source) throw new UserError(`${file}: fields.${k}.source`, 'say where the value comes from');
    fields[k as PresetField] = { value: f.value, source: f.source, ...(f.derived ? { derived: f.derived } : {}), ...(f.estimate ? { estimate: true } : {}) };
  }
  if (typeof raw.borrowFrom === 'string') {
    const lender = loadPreset(raw.borrowFrom, path.dirname(file), [...seen, name]);
    for (const k of [...PRESET_FIELDS, ...OPTIONAL_FIELDS])
      if (!fields[k] && lender.fields[k]) fields[k] = { ...lender.fields[k]!, borrowedFrom: lender.fields[k]!.borrowedFrom ?? lender.name };
  }
  const missing = PRESET_FIELDS.filter((k) => !fields[k]);
  if (missing.length) throw new UserError(file, `lacks ${missing.join(', ')} and borrows them from no preset (add "borrowFrom")`);
  return { name, description: typeof raw.description === 'string' ? raw.description : '', maxCrossbar, file, fields };
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
  return out;
}
