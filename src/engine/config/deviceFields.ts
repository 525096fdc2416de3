/**
 * The device model's numeric fields and their allowed ranges: plain data, no
 * imports, here in config/ so that the schema (bundled into the extension
 * host, which may not load hardware/) and the preset reader
 * (hardware/presets.ts) check a device field against one table.
 */

/** Numeric device fields, each with its unit in its name. */
export const DEVICE_FIELDS = [
  'rOn_ohm',
  'rOff_ohm',
  'weightBits',
  'programmingSigma',
  'readNoiseSigma',
  'driftNu',
  'driftTime_s',
  'stuckOnRate',
  'stuckOffRate',
  'wireRow_ohm',
  'wireCol_ohm',
  'driver_ohm',
  'sense_ohm',
  'dacBits',
  'adcBits',
] as const;
export type DeviceField = (typeof DEVICE_FIELDS)[number];

/** Allowed range of each field: [min, max, whole number?, why]. */
export const DEVICE_RANGES: Record<DeviceField, [number, number, boolean, string]> = {
  rOn_ohm: [1, 1e12, false, 'an on-resistance in ohms (> 0)'],
  rOff_ohm: [1, 1e15, false, 'an off-resistance in ohms, above rOn_ohm'],
  weightBits: [0, 16, true, 'weight bits, 0 (analog, unquantised) to 16'],
  programmingSigma: [0, 1, false, 'a relative standard deviation from 0 to 1'],
  readNoiseSigma: [0, 1, false, 'a relative standard deviation from 0 to 1'],
  driftNu: [0, 1, false, 'a drift exponent ν from 0 (off) to 1'],
  driftTime_s: [1, 1e12, false, 'seconds since programming (≥ 1 s; t₀ = 1 s)'],
  stuckOnRate: [0, 1, false, 'a fraction of cells from 0 to 1'],
  stuckOffRate: [0, 1, false, 'a fraction of cells from 0 to 1'],
  wireRow_ohm: [0, 1e6, false, 'ohms per cell pitch (0: ideal wires)'],
  wireCol_ohm: [0, 1e6, false, 'ohms per cell pitch (0: ideal wires)'],
  driver_ohm: [0, 1e9, false, 'ohms (0: ideal driver)'],
  sense_ohm: [0, 1e9, false, 'ohms (0: ideal virtual ground)'],
  dacBits: [0, 16, true, 'input DAC bits, 0 (no DAC: analog or spike inputs) to 16'],
  adcBits: [1, 16, true, 'ADC bits, 1 to 16, for a preset with an ADC (its fields.adcBits); ADC energy and area scale as 2^bits'],
};

/** The non-idealities, each of which can be switched off for a study (`--ideal`, `transform.hardwareAwareOff`). */
export const NON_IDEALITIES = ['levels', 'variation', 'readNoise', 'drift', 'stuckAt', 'wires', 'adc', 'dac'] as const;
export type NonIdeality = (typeof NON_IDEALITIES)[number];
