/**
 * The device as the simulation uses it. The device model of a preset
 * (`"device"` in presets/*.json: on/off resistance, weight bits sliced over
 * cells, programming variation, read noise, drift, stuck-at faults, wire,
 * driver and sense resistance, the input DAC; each field with its source) is
 * read and checked with the preset, in presets.ts (the editor's checks load
 * presets too, and only that reader may reach the extension host); here it
 * becomes plain numbers, with any non-ideality switched off on request. The
 * ADC resolution is the preset's `adcBits` cost field (one number, one place).
 */
import { UserError } from '../core/errors';
import type { DeviceField, DeviceSpec, VariationModel } from './presets';

export { DEVICE_FIELDS, VARIATION_MODELS, type DeviceField, type DeviceFieldValue, type DeviceSpec, type VariationModel } from './presets';

import { NON_IDEALITIES, type NonIdeality } from '../config/deviceFields';

export { NON_IDEALITIES, type NonIdeality } from '../config/deviceFields';

/** The device as the simulation uses it: plain numbers, 0 meaning "off" wherever that makes sense. */
export interface Device {
  gOn: number;
  gOff: number;
  bitsPerCell: number;
  /** 0: analog weights (no quantisation, one slice). */
  weightBits: number;
  programmingSigma: number;
  variationModel: VariationModel;
  readNoiseSigma: number;
  driftNu: number;
  driftTime_s: number;
  stuckOnRate: number;
  stuckOffRate: number;
  wireRow_ohm: number;
  wireCol_ohm: number;
  driver_ohm: number;
  sense_ohm: number;
  /** 0: no ADC (e.g. integrate-and-fire neurons read the columns). */
  adcBits: number;
  /** 0: no DAC (analog or spike inputs). */
  dacBits: number;
}

/**
 * The simulated device of a preset with some non-idealities switched off.
 * A preset without rOn/rOff cannot be simulated: say so, naming the file.
 */
export function simulatedDevice(spec: DeviceSpec, bitsPerCell: number, adcBits: number | undefined, file: string, off: readonly NonIdeality[] = []): Device {
  const v = (k: DeviceField, d = 0) => spec.fields[k]?.value ?? d;
  if (spec.fields.rOn_ohm === undefined) throw new UserError(`${file}: device`, 'has no rOn_ohm/rOff_ohm: hardware accuracy needs a device model (see presets/resparc-45nm.json)');
  const is = (n: NonIdeality) => !off.includes(n);
  const wires = is('wires');
  return {
    gOn: 1 / v('rOn_ohm'),
    gOff: 1 / v('rOff_ohm'),
    bitsPerCell,
    weightBits: is('levels') ? v('weightBits', bitsPerCell) : 0,
    programmingSigma: is('variation') ? v('programmingSigma') : 0,
    variationModel: spec.variationModel?.value ?? 'normal',
    readNoiseSigma: is('readNoise') ? v('readNoiseSigma') : 0,
    driftNu: is('drift') ? v('driftNu') : 0,
    driftTime_s: v('driftTime_s', 1),
    stuckOnRate: is('stuckAt') ? v('stuckOnRate') : 0,
    stuckOffRate: is('stuckAt') ? v('stuckOffRate') : 0,
    wireRow_ohm: wires ? v('wireRow_ohm') : 0,
    wireCol_ohm: wires ? v('wireCol_ohm') : 0,
    driver_ohm: wires ? v('driver_ohm') : 0,
    sense_ohm: wires ? v('sense_ohm') : 0,
    adcBits: is('adc') ? (adcBits ?? 0) : 0,
    dacBits: is('dac') ? v('dacBits') : 0,
  };
}

/** Parse a `--ideal` list: non-idealities to switch off ("all" for every one). */
export function parseIdeal(list: readonly string[], where = '--ideal'): NonIdeality[] {
  if (list.includes('all')) return [...NON_IDEALITIES];
  for (const n of list) if (!(NON_IDEALITIES as readonly string[]).includes(n)) throw new UserError(where, `unknown non-ideality "${n.slice(0, 30)}"; non-idealities: ${NON_IDEALITIES.join(', ')}, all`);
  return list as NonIdeality[];
}
