/**
 * Measured stuck-cell maps (stuckMap.ts, docs/stuck-cells.md): a planted
 * file reads back to the exact cells and the exact arrays programming uses;
 * the writer's file reads back; header, comments, CRLF and a byte-order mark
 * are accepted; and every malformed file is refused at its file, line and
 * column (the column of the bad field), saying what is wrong.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../src/engine/core/errors';
import { loadPreset } from '../../src/engine/hardware/presets';
import { simulatedDevice, type Device } from '../../src/engine/hardware/device';
import { buildChip } from '../../src/engine/hardware/chip';
import { crossbarRng, stuckCells, STUCK_OFF, STUCK_ON } from '../../src/engine/hardware/program';
import { cellsOf, checkStuckMap, measuredChips, parseStuckMap, readStuckMap, writeStuckMap, STUCK_MAP_CAP, type StuckMapShape } from '../../src/engine/hardware/stuckMap';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stuck-map-'));
const put = (name: string, text: string | Buffer) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const HEADER = 'chip,layer,crossbar,slice,array,wordLine,bitLine,state';

test('a planted file reads back to the exact cells, and to the arrays a chip is programmed with', () => {
  const file = put(
    'planted.csv',
    [HEADER, '0,0,1,0,+,3,5,on', '0,1,0,0,neg,7,2,off', '2,0,0,0,-,0,0,1', '2,0,0,0,pos,65,1,0'].join('\n'),
  );
  const map = readStuckMap(file);
  assert.equal(map.file, file);
  const plain = map.cells.map(({ line: _l, columns: _c, ...c }) => c);
  assert.deepEqual(plain, [
    { chip: 0, layer: 0, crossbar: 1, slice: 0, side: 0, wordLine: 3, bitLine: 5, state: STUCK_ON },
    { chip: 0, layer: 1, crossbar: 0, slice: 0, side: 1, wordLine: 7, bitLine: 2, state: STUCK_OFF },
    { chip: 2, layer: 0, crossbar: 0, slice: 0, side: 1, wordLine: 0, bitLine: 0, state: STUCK_ON },
    { chip: 2, layer: 0, crossbar: 0, slice: 0, side: 0, wordLine: 65, bitLine: 1, state: STUCK_OFF },
  ]);
  assert.deepEqual(map.cells.map((c) => c.line), [2, 3, 4, 5]);
  // In stuckCells' layout, at size 64 with 2 spares (side 66, one slice: 2 arrays of 66²).
  const shape: StuckMapShape = { chips: 3, size: 64, spares: 2, slices: 1, crossbars: [2, 1] };
  const chips = measuredChips(map, shape);
  assert.deepEqual([...chips.keys()], [0, 2]);
  const cells = 66 * 66;
  const f01 = chips.get(0)!(0, 1);
  assert.equal(f01.length, 2 * cells);
  assert.deepEqual([...f01.keys()].filter((q) => f01[q]), [3 * 66 + 5]);
  assert.equal(f01[3 * 66 + 5], STUCK_ON);
  assert.equal(chips.get(0)!(1, 0)[cells + 7 * 66 + 2], STUCK_OFF);
  assert.ok(chips.get(0)!(0, 0).every((x) => x === 0), 'a crossbar the file does not list is healthy');
  const f2 = chips.get(2)!(0, 0);
  assert.deepEqual([...f2.keys()].filter((q) => f2[q]), [65 * 66 + 1, cells]);

  // A chip built from the map (every other non-ideality off): the listed cell reads G_on − G_off.
  const p = loadPreset('resparc-45nm');
  const dev: Device = simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file, ['levels', 'variation', 'readNoise', 'drift', 'stuckAt', 'wires', 'adc', 'dac']);
  const small = parseStuckMap(`${HEADER}\n0,0,0,0,+,2,1,on\n`, 'small.csv');
  const layers = [4, 3];
  const w = new Float32Array(12).fill(-0.25);
  w[1 * 4 + 2] = 0; // output 1 ← input 2: zero, under the stuck-on cell
  const xb = { rows: [0, 1, 2], cols: [0, 1, 2, 3], synapses: 11, kind: 'tile' as const };
  const faults = measuredChips(small, { chips: 1, size: 8, spares: 0, slices: 1, crossbars: [1] }).get(0);
  const chip = buildChip(layers, [w], [[xb]], 8, dev, 1, { ...(faults ? { faults } : {}), threads: 1 });
  assert.equal(chip.layers[0].dense[2 * 3 + 1], 0.25, 'the stuck-on cell reads as the largest weight');
  assert.equal(chip.layers[0].dense[0], -0.25);
});

test('header, # comments, blank lines, CRLF line ends and a UTF-8 byte-order mark are accepted', () => {
  const text = ['# measured on wafer 7, 2026-11-30', '', ` ${HEADER.replace('wordLine', 'WORDLINE')} `, '# chip 0', '0, 0, 0, 0, +, 1, 2, ON', '', '   # indented comment', '1,0,0,0,-,3,4,Off', ''].join('\r\n');
  const file = put('crlf.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
  const map = readStuckMap(file);
  assert.deepEqual(
    map.cells.map((c) => [c.chip, c.side, c.wordLine, c.bitLine, c.state, c.line]),
    [
      [0, 0, 1, 2, STUCK_ON, 5],
      [1, 1, 3, 4, STUCK_OFF, 8],
    ],
  );
  // Columns count from the line as written: "0, 0, 0, 0, +, 1, 2, ON": state at column 22.
  assert.equal(map.cells[0].columns?.[7], 22);
  assert.deepEqual(parseStuckMap(`\ufeff${HEADER}\n`, 'empty.csv').cells, [], 'a header alone: no stuck cells');
});

test('a file written by the writer reads back (a drawn chip\'s faults, two slices)', () => {
  const p = loadPreset('puma-32nm');
  const dev: Device = { ...simulatedDevice(p.device, p.fields.bitsPerCell!.value, p.fields.adcBits?.value, p.file), stuckOnRate: 0.02, stuckOffRate: 0.03, weightBits: 4, bitsPerCell: 2 };
  const size = 16;
  const spares = 2;
  const drawn = [0, 1, 2].map((k) => stuckCells(dev, crossbarRng(4, 0, k), size, spares));
  const cells = drawn.flatMap((f, k) => cellsOf(3, 0, k, f, size + spares, 2));
  assert.ok(cells.length > 50, `${cells.length} stuck cells`);
  const file = path.join(dir, 'written.csv');
  writeStuckMap(file, cells);
  assert.ok(fs.readFileSync(file, 'utf8').startsWith(`${HEADER}\n3,0,0,`));
  const back = readStuckMap(file);
  assert.deepEqual(
    back.cells.map(({ line: _l, columns: _c, ...c }) => c),
    cells,
  );
  const chip3 = measuredChips(back, { chips: 4, size, spares, slices: 2, crossbars: [3] }).get(3)!;
  drawn.forEach((f, k) => assert.deepEqual(chip3(0, k), f, `crossbar ${k}: the drawn map again`));
});

test('malformed files are refused at file:line:column, saying what is wrong', () => {
  const cases: [string, RegExp][] = [
    [`0,0,0,0,+,1,1,on\n`, /bad\.csv:1:1: missing header/],
    [`# only comments\n\n`, /bad\.csv:1:1: missing header/],
    [`chip,layer,xbar,slice,array,wordLine,bitLine,state\n`, /bad\.csv:1:12: header column 3 is "xbar", expected "crossbar"/],
    [`chip,layer,crossbar,slice,array,wordLine,bitLine\n`, /bad\.csv:1:49: the header has 7 columns, 8 expected .*"state" is missing/],
    [`${HEADER},extra\n`, /bad\.csv:1:56: the header has 9 columns/],
    [`${HEADER}\n0,0,0,0,+,1,1,x\n`, /bad\.csv:2:15: unknown state "x" \(on or 1/],
    [`${HEADER}\r\n# c\r\n0,0,0,0,up,1,1,on\r\n`, /bad\.csv:3:9: unknown array "up"/],
    [`${HEADER}\n0,0,0,0,+,1,1\n`, /bad\.csv:2:14: too few fields: 7 of 8 \(state missing\)/],
    [`${HEADER}\n0,0,0\n`, /bad\.csv:2:6: too few fields: 3 of 8 \(slice, array, wordLine, bitLine, state missing\)/],
    [`${HEADER}\n0,0,0,0,+,1,1,on,7\n`, /bad\.csv:2:18: too many fields: 9, 8 expected/],
    [`${HEADER}\n0,0,-1,0,+,1,1,on\n`, /bad\.csv:2:5: crossbar "-1" is not a whole number/],
    [`${HEADER}\n0,0,0,0,+,1.5,1,on\n`, /bad\.csv:2:11: wordLine "1\.5" is not a whole number/],
    [`${HEADER}\n0,0,0,0,+,1,,on\n`, /bad\.csv:2:13: bitLine "" is not a whole number/],
    [`${HEADER}\nchip0,0,0,0,+,1,1,on\n`, /bad\.csv:2:1: chip "chip0" is not a whole number/],
    [`${HEADER}\n0,0,0,0,+,1,1,on\n# again\n0,0,0,0,pos,1,1,off\n`, /bad\.csv:4:1: a duplicate cell: line 2 already lists chip 0, layer 0, crossbar 0, slice 0, array \+, word line 1, bit line 1/],
  ];
  for (const [text, want] of cases) {
    const f = put('bad.csv', text);
    assert.throws(
      () => readStuckMap(f),
      (e: unknown) => e instanceof UserError && want.test(e.message.replace(dir + path.sep, '')),
      `${JSON.stringify(text)} → ${want}`,
    );
  }
});

test('cells the evaluation has no place for are refused at their line and field', () => {
  const map = parseStuckMap(`${HEADER}\n0,0,0,0,+,1,1,on\n1,1,2,0,-,3,3,off\n`, 'm.csv');
  const shape: StuckMapShape = { chips: 3, size: 64, spares: 0, slices: 1, crossbars: [4, 3] };
  checkStuckMap(map, shape);
  const refused = (text: string, s: Partial<StuckMapShape>, want: RegExp) =>
    assert.throws(() => checkStuckMap(parseStuckMap(`${HEADER}\n${text}\n`, 'm.csv'), { ...shape, ...s }), (e: unknown) => e instanceof UserError && want.test(e.message), want.source);
  refused('0,0,0,0,+,70,1,on', {}, /^m\.csv:2:11: wordLine 70 beyond a 64\+0 array \(word lines 0–63\)/);
  refused('0,0,0,0,+,65,1,on', { spares: 1 }, /^m\.csv:2:11: wordLine 65 beyond a 64\+1 array/);
  assert.doesNotThrow(() => checkStuckMap(parseStuckMap(`${HEADER}\n0,0,0,0,+,65,65,on\n`, 'm.csv'), { ...shape, spares: 2 }));
  refused('0,0,0,0,+,1,66,on', { spares: 2 }, /^m\.csv:2:13: bitLine 66 beyond a 64\+2 array/);
  refused('0,1,3,0,+,1,1,on', {}, /^m\.csv:2:5: crossbar 3: layer 1 maps onto 3 crossbars of 64×64 \(0–2\)/);
  refused('0,2,0,0,+,1,1,on', {}, /^m\.csv:2:3: layer 2: the network has 2 weight layers/);
  refused('0,0,0,1,+,1,1,on', {}, /^m\.csv:2:7: slice 1: the device stores a weight in 1 slice \(0–0\)/);
  refused('3,0,0,0,+,1,1,on', {}, /^m\.csv:2:1: chip 3 is not among the 3 chips evaluated \(0–2\)/);
});

test('unreadable files: a folder, a missing file and one over the cap are refused by name', () => {
  assert.throws(() => readStuckMap(dir), /is a folder, not a regular file: refused/);
  assert.throws(() => readStuckMap(path.join(dir, 'none.csv')), /none\.csv: cannot be read: no such file or folder \(ENOENT\)/);
  const big = path.join(dir, 'big.csv');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, STUCK_MAP_CAP + 1);
  assert.throws(() => readStuckMap(big), /big\.csv: 64\.0 MiB is over the 64 MiB a stuck-cell map may have/);
});
