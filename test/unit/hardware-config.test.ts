/** Config fields for hardware accuracy: `hardware.chips`, `hardware.device` overrides (checked, a sweep axis), and the hover's word on it. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { validateConfig } from '../../src/engine/config/validate';
import { resolveAxis } from '../../src/engine/config/sweepAxes';
import { hoverAt } from '../../src/engine/config/assist';
import { loadPreset, withDeviceOverrides } from '../../src/engine/hardware/presets';
import { UserError } from '../../src/engine/core/errors';

const base = { name: 'x', dataset: { name: 'synthetic' }, network: { layers: [64, 4] }, training: { epochs: 1 } };
const problems = (hardware: unknown) => validateConfig({ ...base, hardware }).problems.map((p) => `${p.path.join('.')}: ${p.message}`);

test('hardware.chips defaults to 0 and is a whole number from 0 to 100; hardware.device takes known fields in range', () => {
  const ok = validateConfig({ ...base, hardware: { device: { wireRow_ohm: 2.5, weightBits: 4 } } });
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.config!.hardware.chips, 0);
  assert.deepEqual(ok.config!.hardware.device, { wireRow_ohm: 2.5, weightBits: 4 });
  assert.ok(problems({ chips: 2.5 }).some((p) => p.startsWith('hardware.chips')));
  assert.ok(problems({ chips: 101 }).some((p) => p.startsWith('hardware.chips')));
  assert.ok(problems({ device: { wireRow: 1 } }).some((p) => p.startsWith('hardware.device') && /wireRow/.test(p)), 'an unknown device field is named');
  assert.ok(problems({ device: { programmingSigma: 2 } }).some((p) => p.startsWith('hardware.device.programmingSigma')));
  assert.ok(problems({ device: { dacBits: 1.5 } }).some((p) => p.startsWith('hardware.device.dacBits')));
});

test('a device field is a sweep axis; hwAccuracy is an objective', () => {
  assert.deepEqual(resolveAxis('hardware.device.wireRow_ohm'), { path: ['hardware', 'device', 'wireRow_ohm'] });
  assert.ok('problem' in resolveAxis('hardware.device.nope'));
  const sweep = validateConfig({ ...base, sweep: { grid: { 'hardware.device.wireRow_ohm': [1, 100] }, objectives: ['area', 'hwAccuracy'] } });
  assert.deepEqual(sweep.problems.filter((p) => p.severity === 'error'), []);
});

test('overrides apply over the preset\'s device model and are checked with it, errors naming the field', () => {
  const p = loadPreset('resparc-45nm');
  const q = withDeviceOverrides(p, { wireRow_ohm: 300, wireCol_ohm: 300 }, 'hardware.device');
  assert.equal(q.device.fields.wireRow_ohm!.value, 300);
  assert.match(q.device.fields.wireRow_ohm!.source, /hardware\.device\.wireRow_ohm/);
  assert.equal(p.device.fields.wireRow_ohm!.value, 0.668, 'the loaded preset is not changed');
  assert.equal(withDeviceOverrides(p, undefined, 'hardware.device'), p);
  assert.throws(() => withDeviceOverrides(p, { rOff_ohm: 1 }, 'hardware.device'), (e: unknown) => e instanceof UserError && /rOff_ohm/.test(e.message) && /hardware\.device/.test(e.where ?? ''));
  assert.throws(() => withDeviceOverrides(p, { wireRow_ohm: 0 }, 'hardware.device'), /row and column wires both/);
  assert.throws(() => withDeviceOverrides(p, { stuckOnRate: -1 } as never, 'hardware.device'), /hardware\.device\.stuckOnRate/);
});

test('the layers hover says where hardware accuracy comes from', () => {
  const text = (hardware: unknown) => JSON.stringify({ ...base, network: { layers: [64, 32, 4] }, hardware }, null, 2);
  const off = text({});
  assert.match(hoverAt(off, off.indexOf('32'))!.markdown, /Hardware accuracy \(on simulated chips of this preset\): set `hardware\.chips`, or run `trannsformer evaluate <run> --chips 5`/);
  const on = text({ chips: 3 });
  assert.match(hoverAt(on, on.indexOf('32'))!.markdown, /each run measures it on 3 simulated chips/);
});
