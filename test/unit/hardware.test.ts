import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adcEnergy, arraysPerMpe, meshAverageHops, mpeArea, networkArea, spikingEnergy } from '../../src/engine/hardware/cost';
import { listPresets, loadPreset, presetCaveats, PRESET_FIELDS } from '../../src/engine/hardware/presets';

import { UserError } from '../../src/engine/core/errors';
import { tmpDir } from '../helpers/files';

import type { Crossbar } from '../../src/engine/format/mapping';
const close = (a: number, b: number, rel = 1e-9) => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

function userPreset(dir: string, fields: Record<string, number>, extra: Record<string, unknown> = {}): string {
  const f = path.join(dir, 'mine.json');
  fs.writeFileSync(f, JSON.stringify({ name: 'mine', maxCrossbar: 32, fields: Object.fromEntries(Object.entries(fields).map(([k, value]) => [k, { value, source: 'test' }])), ...extra }));
  return f;
}

const simple = {
  clockMHz: 100, bitsPerCell: 1, a_cell_um2: 1, a_rowDriver_um2: 2, a_neuron_um2: 3, a_periphery_um2: 4, a_router_um2: 100, mpesPerRouter: 4,
  e_cellRead_pJ: 0.5, e_rowDrive_pJ: 1, e_neuronIntegrate_pJ: 0.25, e_neuronFire_pJ: 2, e_packetHop_pJ: 10,
};

describe('presets', () => {
  test('the shipped presets load completely, state their crossbar limit, and name what they borrow', () => {
    assert.deepEqual(listPresets(), ['mnsim-130nm', 'puma-32nm', 'resparc-45nm']);
    const limits: Record<string, number> = { 'resparc-45nm': 64, 'puma-32nm': 128, 'mnsim-130nm': 256 };
    for (const name of listPresets()) {
      const p = loadPreset(name);
      assert.equal(p.maxCrossbar, limits[name]);
      for (const k of PRESET_FIELDS) assert.ok(p.fields[k] && p.fields[k]!.source, `${name}.${k}`);
    }
    const puma = loadPreset('puma-32nm');
    assert.equal(puma.fields.e_neuronIntegrate_pJ!.borrowedFrom, 'resparc-45nm');
    assert.equal(puma.fields.a_cell_um2!.borrowedFrom, undefined);
    assert.ok(presetCaveats(puma).some((c) => /e_neuronIntegrate_pJ = 1\.38 borrowed from resparc-45nm/.test(c)));
    assert.ok(presetCaveats(loadPreset('resparc-45nm')).some((c) => /e_neuronFire_pJ .* estimate/.test(c)));
  });

  test('RESPARC\'s derived fields reproduce its sourced 64×64 PE: 0.0196 mm² and 301.9 pJ per evaluation', () => {
    const p = loadPreset('resparc-45nm');
    assert.equal(arraysPerMpe(p), 2);
    close(mpeArea(p, 64) / 1e6, 0.0196);
    const full: Crossbar = { rows: Array.from({ length: 64 }, (_, i) => i), cols: Array.from({ length: 64 }, (_, i) => i), synapses: 4096, kind: 'tile' };
    // every input spikes once, no neuron or network energy counted here
    const e = spikingEnergy(p, [{ crossbars: [full], spikes: { inputSpikes: new Float64Array(64).fill(1), outputSpikes: new Float64Array(64), activeSteps: new Float64Array([0]) } }]);
    close(e.crossbar_uJ * 1e6, 301.9, 1e-3);
  });

  test('a user preset by path, borrowing by name; errors say what and where', () => {
    const dir = tmpDir();
    const { e_packetHop_pJ: _hop, ...noHop } = simple;
    const f = userPreset(dir, noHop, { borrowFrom: 'resparc-45nm' });
    const p = loadPreset(f);
    assert.equal(p.fields.e_packetHop_pJ!.value, 151.5);
    assert.equal(p.fields.e_packetHop_pJ!.borrowedFrom, 'resparc-45nm');
    assert.equal(p.fields.a_cell_um2!.value, 1);
    const g = userPreset(dir, noHop);
    assert.throws(() => loadPreset(g), (e: unknown) => e instanceof UserError && /lacks e_packetHop_pJ/.test(e.message));
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ maxCrossbar: 64, fields: { a_cel_um2: { value: 1, source: 'x' } } }));
    assert.throws(() => loadPreset(path.join(dir, 'bad.json')), /fields\.a_cel_um2: unknown field/);
    fs.writeFileSync(path.join(dir, 'nosrc.json'), JSON.stringify({ maxCrossbar: 64, fields: { a_cell_um2: { value: 1 } } }));
    assert.throws(() => loadPreset(path.join(dir, 'nosrc.json')), /a_cell_um2\.source: say where/);
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ name: 'a', maxCrossbar: 64, borrowFrom: './b.json', fields: {} }));
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ name: 'b', maxCrossbar: 64, borrowFrom: './a.json', fields: {} }));
    assert.throws(() => loadPreset(path.join(dir, 'a.json')), /borrowFrom makes a cycle: a → b → a/);
    assert.throws(() => loadPreset('no-such-tech'), /no such preset; presets: mnsim-130nm, puma-32nm, resparc-45nm/);
  });
});

describe('area and energy by hand', () => {
  test('A_mPE and A_total', () => {
    const p = loadPreset(userPreset(tmpDir(), simple));
    // arrays 2 · (1·16 + 2·4) + 4·3 + 4 = 64 µm²
    assert.equal(mpeArea(p, 4), 64);
    const a = networkArea(p, 4, 5);
    assert.equal(a.routers, 2);
    close(a.total_mm2, (5 * 64 + 2 * 100) / 1e6);
    // weights wider than a cell take more arrays
    assert.equal(arraysPerMpe(p, 3), 6);
  });

  test('spiking energy: crossbar, neuron and communication parts', () => {
    const p = loadPreset(userPreset(tmpDir(), simple));
    const xb1: Crossbar = { rows: [0, 1, 2], cols: [0, 1], synapses: 6, kind: 'cluster' };
    const xb2: Crossbar = { rows: [0], cols: [2], synapses: 1, kind: 'leftover' };
    const e = spikingEnergy(p, [
      { crossbars: [xb1, xb2], spikes: { inputSpikes: Float64Array.from([3, 1, 2]), outputSpikes: Float64Array.from([4, 0, 1]), activeSteps: Float64Array.from([3, 2]) } },
    ]);
    // crossbar: (3+1)·2·(1 + 3·0.5) + 2·2·(1 + 1·0.5) = 20 + 6
    close(e.crossbar_uJ * 1e6, 26);
    // neuron: 3·3·0.25 + 2·1·0.25 + (4+0+1)·2
    close(e.neuron_uJ * 1e6, 12.75);
    // communication: 2 mPEs → hops 2/3·⌈√2⌉ = 4/3; Σ spikes·fanout = 6; ·10 pJ
    close(e.averageHops, 4 / 3);
    close(e.communication_uJ * 1e6, 80);
    close(e.total_uJ * 1e6, 118.75);
    assert.equal(meshAverageHops(1), 0);
  });

  test('ADC variant only where the preset has ADC figures', () => {
    const dir = tmpDir();
    const p = loadPreset(userPreset(dir, { ...simple, e_adc_pJ: 2, e_dac_pJ: 0.1 }));
    const xb: Crossbar = { rows: [0, 1], cols: [0, 1, 2], synapses: 6, kind: 'tile' };
    // 8 slices · 2 arrays · (3·0.1 + 3·2·0.5 + 2·2)
    close(adcEnergy(p, [[xb]], 8)! * 1e6, 8 * 2 * (0.3 + 3 + 4));
    assert.equal(adcEnergy(loadPreset('resparc-45nm'), [[xb]]), undefined);
  });
});
