/**
 * ADC resolution costs energy and area: a config's `hardware.device.adcBits`
 * rescales the preset's sourced ADC figures by the Walden figure of merit
 * (E = FOM·2^bits, FOM from the preset's own figure at its own bits) and its
 * ADC area likewise, so the preset's numbers stand exactly at its own bits.
 * Also: MNSIM's Device_Level counts levels, so its cells hold 1 bit.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adcArea, adcEnergy, arraysPerMpe, networkArea } from '../../src/engine/hardware/cost';
import { loadPreset, withDeviceOverrides } from '../../src/engine/hardware/presets';
import { validateConfig } from '../../src/engine/config/validate';
import { resolveAxis } from '../../src/engine/config/sweepAxes';
import { UserError } from '../../src/engine/core/errors';
import type { Crossbar } from '../../src/engine/format/mapping';
import { tmpDir } from '../helpers/files';

const xbs: Crossbar[][] = [[{ rows: [0, 1, 2, 3], cols: [0, 1, 2, 3, 4, 5], synapses: 24, kind: 'tile' }], [{ rows: [0, 1], cols: [0, 1, 2, 3], synapses: 8, kind: 'tile' }]];
const at = (name: string, adcBits?: number) => withDeviceOverrides(loadPreset(name), adcBits === undefined ? undefined : { adcBits }, 'hardware.device');

test('at the preset\'s own bits the ADC cost is the sourced figure, exactly: PUMA 1.8 pJ and 1200 µm² at 8 bits, MNSIM 10.1 pJ and 1650 µm² at 6', () => {
  for (const [name, bits, pJ, um2] of [['puma-32nm', 8, 1.8, 1200], ['mnsim-130nm', 6, 10.1, 1650]] as const) {
    const own = at(name, bits);
    assert.equal(own.fields.e_adc_pJ!.value, pJ);
    assert.equal(own.fields.a_adc_um2!.value, um2);
    assert.deepEqual(own.fields, loadPreset(name).fields, `${name}: overriding with its own bits changes nothing`);
    // Today's formula, by hand: 8 input slices · arrays · (cols·e_dac + cols·rows·e_cellRead + rows·e_adc).
    const p = loadPreset(name);
    const arrays = arraysPerMpe(p);
    const byHand = xbs.flat().reduce((a, x) => a + 8 * arrays * (x.cols.length * p.fields.e_dac_pJ!.value + x.cols.length * x.rows.length * p.fields.e_cellRead_pJ!.value + x.rows.length * pJ), 0) / 1e6;
    assert.equal(adcEnergy(own, xbs), byHand);
    assert.equal(adcArea(own, 64, 10), networkArea(p, 64, 10).total_mm2 + (10 * arrays * um2) / 1e6);
  }
});

test('two bits fewer: a quarter of the ADC energy per conversion and of its area; two more: four times', () => {
  const p8 = at('puma-32nm');
  const p6 = at('puma-32nm', 6);
  const p10 = at('puma-32nm', 10);
  assert.equal(p6.fields.e_adc_pJ!.value, 1.8 / 4);
  assert.equal(p10.fields.e_adc_pJ!.value, 1.8 * 4);
  assert.equal(p6.fields.a_adc_um2!.value, 1200 / 4);
  assert.equal(p6.fields.adcBits!.value, 6);
  assert.equal(p6.fields.e_adc_pJ!.estimate, true, 'a scaled figure is an estimate');
  assert.match(p6.fields.e_adc_pJ!.derived!, /Walden figure of merit, E = FOM·2\^bits: 1\.8 × 2\^\(6 − 8\)/);
  // The energy apart from the conversions (DAC drives, cell reads) is the same: the difference is ¾ of the 8-bit conversions.
  const conversions8 = xbs.flat().reduce((a, x) => a + 8 * arraysPerMpe(p8) * x.rows.length * 1.8, 0) / 1e6;
  const d = adcEnergy(p8, xbs)! - adcEnergy(p6, xbs)!;
  assert.ok(Math.abs(d - 0.75 * conversions8) < 1e-15, `${d} vs ${0.75 * conversions8}`);
  // The ADC area likewise; the spiking implementation's area and every other field are untouched.
  const adcPart = (p: typeof p8) => adcArea(p, 128, 7)! - networkArea(p, 128, 7).total_mm2;
  assert.ok(Math.abs(adcPart(p6) - adcPart(p8) / 4) < 1e-15);
  assert.deepEqual(networkArea(p6, 128, 7), networkArea(p8, 128, 7));
  const { e_adc_pJ: _e6, a_adc_um2: _a6, adcBits: _b6, ...rest6 } = p6.fields;
  const { e_adc_pJ: _e8, a_adc_um2: _a8, adcBits: _b8, ...rest8 } = p8.fields;
  assert.deepEqual(rest6, rest8);
  assert.deepEqual(p6.device, p8.device);
});

test('adcBits is checked: a spiking preset has no ADC, bits are whole from 1 to 16, a preset file keeps them in "fields"', () => {
  const fails = (name: string, bits: unknown, re: RegExp) =>
    assert.throws(() => withDeviceOverrides(loadPreset(name), { adcBits: bits as number }, 'hardware.device'), (e: unknown) => e instanceof UserError && e.where === 'hardware.device.adcBits' && re.test(e.message));
  fails('resparc-45nm', 6, /resparc-45nm has no ADC/);
  fails('puma-32nm', 0, /ADC bits, 1 to 16/);
  fails('puma-32nm', 17, /ADC bits, 1 to 16/);
  fails('puma-32nm', 6.5, /ADC bits, 1 to 16/);
  const file = path.join(tmpDir(), 'adc-in-device.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'x', maxCrossbar: 64, borrowFrom: 'puma-32nm', device: { adcBits: { value: 4, source: 'test' } } }));
  assert.throws(() => loadPreset(file), /device\.adcBits: the ADC resolution is the preset's "fields" entry adcBits/);
});

test('hardware.device.adcBits is a config field and a sweep axis', () => {
  const base = { name: 'x', dataset: { name: 'synthetic' }, network: { layers: [64, 4] }, training: { epochs: 1 } };
  assert.deepEqual(validateConfig({ ...base, hardware: { preset: 'puma-32nm', device: { adcBits: 6 } } }).config!.hardware.device, { adcBits: 6 });
  assert.ok(validateConfig({ ...base, hardware: { device: { adcBits: 0 } } }).problems.some((p) => p.path.join('.') === 'hardware.device.adcBits'));
  assert.deepEqual(resolveAxis('hardware.device.adcBits'), { path: ['hardware', 'device', 'adcBits'] });
});

test('mnsim-130nm: Device_Level = 2 is two resistance levels, one bit per cell (not 2 bits)', () => {
  const p = loadPreset('mnsim-130nm');
  assert.equal(p.fields.bitsPerCell!.value, 1);
  assert.match(p.fields.bitsPerCell!.source, /Device_Level = 2/);
  assert.equal(p.fields.bitsPerCell!.estimate, undefined);
});
