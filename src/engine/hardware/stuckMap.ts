/**
 * Measured stuck-cell maps (issue 23, item 3): a CSV a user measured on real
 * chips, one stuck cell a line, read (and written) here so that fault-aware
 * remapping and the hardware accuracy can use a chip's own faults instead of
 * drawn ones. The format is documented in docs/stuck-cells.md:
 *
 *   chip,layer,crossbar,slice,array,wordLine,bitLine,state
 *   0,0,3,0,+,12,40,on
 *
 * chip: the 0-based chip of the evaluation (chip k has seed first + k);
 * layer: 0-based weight layer; crossbar: its index in the layer's mapping
 * order; slice: 0-based weight slice; array: + / pos (positive) or - / neg
 * (negative); wordLine, bitLine: 0-based physical lines (< size + spares);
 * state: on / 1 (stuck at G_on) or off / 0 (stuck at G_off). A header line is
 * required; blank lines and lines starting with # are skipped; CRLF line ends
 * and a UTF-8 byte-order mark are accepted.
 *
 * Bad input is refused with a UserError located at file:line:column (the
 * 1-based column of the bad field). The file is read bounded, like every
 * record the studio did not just write (core/boundedFile.ts): regular files
 * only, at most STUCK_MAP_CAP bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, WriteError, fsErrorMessage } from '../core/errors';
import { BoundedReadError, kindOf, sizeText } from '../core/boundedFile';
import { STUCK_OFF, STUCK_ON } from './program';

/** The columns, in order: the header line names them. */
export const STUCK_MAP_COLUMNS = ['chip', 'layer', 'crossbar', 'slice', 'array', 'wordLine', 'bitLine', 'state'] as const;

/** Largest stuck-cell file read: 64 MiB, some 3 million cells. */
export const STUCK_MAP_CAP = 64 * 2 ** 20;

/** The largest index a field may hold (chips, layers, crossbars, lines): far beyond any network, below 2³¹. */
const MAX_INDEX = 1_000_000_000;

/** One stuck cell of a measured map, and where it was read (line; column of each field, 1-based). */
export interface StuckCell {
  chip: number;
  layer: number;
  crossbar: number;
  slice: number;
  /** 0: the positive array of the pair, 1: the negative one. */
  side: 0 | 1;
  wordLine: number;
  bitLine: number;
  /** STUCK_ON (at G_on) or STUCK_OFF (at G_off). */
  state: typeof STUCK_ON | typeof STUCK_OFF;
  /** Source line; the column of each field in STUCK_MAP_COLUMNS order (absent for cells not read from a file). */
  line?: number;
  columns?: number[];
}

export interface StuckMap {
  /** The file it was read from (errors name it). */
  file: string;
  cells: StuckCell[];
}

/** What a map is checked against: the evaluation at one crossbar size. */
export interface StuckMapShape {
  /** Chips evaluated (chips 0 … chips − 1). */
  chips: number;
  size: number;
  spares: number;
  /** Weight slices of the device (program.ts slicing). */
  slices: number;
  /** Crossbars of each layer at this size. */
  crossbars: readonly number[];
}

const at = (file: string, line: number, column: number) => `${file}:${line}:${column}`;

/** A field of a line: its text (trimmed) and 1-based column. */
type Field = { text: string; column: number };

function splitFields(line: string): Field[] {
  const out: Field[] = [];
  let start = 0;
  for (;;) {
    const comma = line.indexOf(',', start);
    const raw = comma < 0 ? line.slice(start) : line.slice(start, comma);
    const lead = raw.length - raw.trimStart().length;
    out.push({ text: raw.trim(), column: start + lead + 1 });
    if (comma < 0) return out;
    start = comma + 1;
  }
}

/** Parse a stuck-cell CSV's text; `file` names it in errors. Throws UserError at file:line:column. */
export function parseStuckMap(text: string, file: string): StuckMap {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r?\n/);
  const cells: StuckCell[] = [];
  const seen = new Map<string, number>();
  let header = false;
  lines.forEach((raw, k) => {
    const n = k + 1;
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const fields = splitFields(raw);
    if (!header) {
      const named = fields.map((f) => f.text.toLowerCase());
      if (/^\d/.test(fields[0].text))
        throw new UserError(at(file, n, 1), `missing header: the first line must name the columns ${STUCK_MAP_COLUMNS.join(',')}`);
      STUCK_MAP_COLUMNS.forEach((name, c) => {
        if (c >= fields.length) throw new UserError(at(file, n, raw.length + 1), `the header has ${fields.length} columns, ${STUCK_MAP_COLUMNS.length} expected (${STUCK_MAP_COLUMNS.join(',')}): "${name}" is missing`);
        if (named[c] !== name.toLowerCase()) throw new UserError(at(file, n, fields[c].column), `header column ${c + 1} is "${fields[c].text.slice(0, 40)}", expected "${name}" (${STUCK_MAP_COLUMNS.join(',')})`);
      });
      if (fields.length > STUCK_MAP_COLUMNS.length) throw new UserError(at(file, n, fields[STUCK_MAP_COLUMNS.length].column), `the header has ${fields.length} columns, ${STUCK_MAP_COLUMNS.length} expected (${STUCK_MAP_COLUMNS.join(',')})`);
      header = true;
      return;
    }
    if (fields.length < STUCK_MAP_COLUMNS.length)
      throw new UserError(at(file, n, raw.length + 1), `too few fields: ${fields.length} of ${STUCK_MAP_COLUMNS.length} (${STUCK_MAP_COLUMNS.slice(fields.length).join(', ')} missing)`);
    if (fields.length > STUCK_MAP_COLUMNS.length) throw new UserError(at(file, n, fields[STUCK_MAP_COLUMNS.length].column), `too many fields: ${fields.length}, ${STUCK_MAP_COLUMNS.length} expected`);
    const int = (c: number): number => {
      const f = fields[c];
      if (!/^\d+$/.test(f.text) || Number(f.text) > MAX_INDEX)
        throw new UserError(at(file, n, f.column), `${STUCK_MAP_COLUMNS[c]} "${f.text.slice(0, 30)}" is not a whole number from 0 to ${MAX_INDEX}`);
      return Number(f.text);
    };
    // Field by field, left to right: the first bad one is the one named.
    const [chip, layer, crossbar, slice] = [int(0), int(1), int(2), int(3)];
    const arr = fields[4].text.toLowerCase();
    const side = arr === '+' || arr === 'pos' ? 0 : arr === '-' || arr === 'neg' ? 1 : -1;
    if (side < 0) throw new UserError(at(file, n, fields[4].column), `unknown array "${fields[4].text.slice(0, 30)}" (+ or pos: the positive array, - or neg: the negative one)`);
    const [wordLine, bitLine] = [int(5), int(6)];
    const st = fields[7].text.toLowerCase();
    const state = st === 'on' || st === '1' ? STUCK_ON : st === 'off' || st === '0' ? STUCK_OFF : 0;
    if (!state) throw new UserError(at(file, n, fields[7].column), `unknown state "${fields[7].text.slice(0, 30)}" (on or 1: stuck at G_on, off or 0: stuck at G_off)`);
    const cell: StuckCell = { chip, layer, crossbar, slice, side: side as 0 | 1, wordLine, bitLine, state: state as typeof STUCK_ON | typeof STUCK_OFF, line: n, columns: fields.map((f) => f.column) };
    const key = `${cell.chip},${cell.layer},${cell.crossbar},${cell.slice},${cell.side},${cell.wordLine},${cell.bitLine}`;
    const first = seen.get(key);
    if (first !== undefined) throw new UserError(at(file, n, fields[0].column), `a duplicate cell: line ${first} already lists chip ${cell.chip}, layer ${cell.layer}, crossbar ${cell.crossbar}, slice ${cell.slice}, array ${'+-'[cell.side]}, word line ${cell.wordLine}, bit line ${cell.bitLine}`);
    seen.set(key, n);
    cells.push(cell);
  });
  if (!header) throw new UserError(at(file, 1, 1), `missing header: an empty stuck-cell file needs at least the line ${STUCK_MAP_COLUMNS.join(',')}`);
  return { file, cells };
}

/** Read a stuck-cell CSV, bounded (regular files up to STUCK_MAP_CAP). */
export function readStuckMap(file: string): StuckMap {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new BoundedReadError(file, `cannot be read: ${fsErrorMessage(e)}`, (e as NodeJS.ErrnoException).code);
  }
  let text: string;
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new BoundedReadError(file, `is ${kindOf(st)}, not a regular file: refused`);
    if (st.size > STUCK_MAP_CAP) throw new BoundedReadError(file, `${sizeText(st.size)} is over the ${sizeText(STUCK_MAP_CAP)} a stuck-cell map may have`);
    const buf = Buffer.allocUnsafe(st.size + 1);
    let got = 0;
    for (let k; got < buf.length && (k = fs.readSync(fd, buf, got, buf.length - got, got)) > 0; ) got += k;
    if (got > st.size) throw new BoundedReadError(file, 'grew while it was read: refused');
    text = buf.subarray(0, got).toString('utf8');
  } catch (e) {
    if (e instanceof BoundedReadError) throw e;
    throw new BoundedReadError(file, `cannot be read: ${fsErrorMessage(e)}`, (e as NodeJS.ErrnoException).code);
  } finally {
    fs.closeSync(fd);
  }
  return parseStuckMap(text, file);
}

/**
 * The map an evaluation uses: a --stuck-cells file (as given, relative to the
 * working folder) or else the config's hardware.stuckCells (relative to the
 * config's folder); undefined when neither names one.
 */
export function stuckMapFor(flag: string | undefined, configured: string | undefined, baseDir: string): StuckMap | undefined {
  if (flag !== undefined) return readStuckMap(path.resolve(flag));
  if (configured !== undefined) return readStuckMap(path.resolve(baseDir, configured));
  return undefined;
}

/** Refuse cells the evaluation at this shape has no place for, naming file:line:column of the field. */
export function checkStuckMap(map: StuckMap, shape: StuckMapShape): void {
  const side = shape.size + shape.spares;
  const where = (c: StuckCell, field: number) => (c.line === undefined ? map.file : at(map.file, c.line, c.columns?.[field] ?? 1));
  for (const c of map.cells) {
    if (c.chip >= shape.chips) throw new UserError(where(c, 0), `chip ${c.chip} is not among the ${shape.chips} chip${shape.chips === 1 ? '' : 's'} evaluated (0–${shape.chips - 1}): raise --chips`);
    if (c.layer >= shape.crossbars.length) throw new UserError(where(c, 1), `layer ${c.layer}: the network has ${shape.crossbars.length} weight layers (0–${shape.crossbars.length - 1})`);
    const count = shape.crossbars[c.layer];
    if (c.crossbar >= count) throw new UserError(where(c, 2), `crossbar ${c.crossbar}: layer ${c.layer} maps onto ${count} crossbar${count === 1 ? '' : 's'} of ${shape.size}×${shape.size} (0–${count - 1})`);
    if (c.slice >= shape.slices) throw new UserError(where(c, 3), `slice ${c.slice}: the device stores a weight in ${shape.slices} slice${shape.slices === 1 ? '' : 's'} (0–${shape.slices - 1})`);
    if (c.wordLine >= side) throw new UserError(where(c, 5), `wordLine ${c.wordLine} beyond a ${shape.size}+${shape.spares} array (word lines 0–${side - 1})`);
    if (c.bitLine >= side) throw new UserError(where(c, 6), `bitLine ${c.bitLine} beyond a ${shape.size}+${shape.spares} array (bit lines 0–${side - 1})`);
  }
}

/**
 * The chips a map lists, each as buildChip's and remapNetwork's `faults`:
 * per layer and crossbar, its stuck cells in stuckCells' layout (every cell
 * of a listed chip not in the file is healthy). Checks the map first.
 */
export function measuredChips(map: StuckMap, shape: StuckMapShape): Map<number, (layer: number, index: number) => Int8Array> {
  checkStuckMap(map, shape);
  const side = shape.size + shape.spares;
  const cells = side * side;
  const byChip = new Map<number, Map<string, Int8Array>>();
  for (const c of map.cells) {
    let chip = byChip.get(c.chip);
    if (!chip) byChip.set(c.chip, (chip = new Map()));
    const key = `${c.layer}/${c.crossbar}`;
    let f = chip.get(key);
    if (!f) chip.set(key, (f = new Int8Array(2 * shape.slices * cells)));
    f[(2 * c.slice + c.side) * cells + c.wordLine * side + c.bitLine] = c.state;
  }
  const out = new Map<number, (layer: number, index: number) => Int8Array>();
  for (const [chip, xbs] of byChip) out.set(chip, (l, k) => xbs.get(`${l}/${k}`) ?? new Int8Array(2 * shape.slices * cells));
  return out;
}

/** The stuck cells of one crossbar's map (stuckCells' layout, `slices` slices, side `side`) as rows of a file. */
export function cellsOf(chip: number, layer: number, crossbar: number, faults: Int8Array, side: number, slices: number): StuckCell[] {
  const cells = side * side;
  const out: StuckCell[] = [];
  for (let s = 0; s < slices; s++)
    for (let sd = 0; sd < 2; sd++)
      for (let q = 0; q < cells; q++) {
        const f = faults[(2 * s + sd) * cells + q];
        if (f === STUCK_ON || f === STUCK_OFF) out.push({ chip, layer, crossbar, slice: s, side: sd as 0 | 1, wordLine: Math.floor(q / side), bitLine: q % side, state: f });
      }
  return out;
}

/** A stuck-cell CSV's text: the header, then one cell a line (array + / -, state on / off). */
export function formatStuckMap(cells: readonly StuckCell[]): string {
  const lines = [STUCK_MAP_COLUMNS.join(',')];
  for (const c of cells) lines.push([c.chip, c.layer, c.crossbar, c.slice, c.side ? '-' : '+', c.wordLine, c.bitLine, c.state === STUCK_ON ? 'on' : 'off'].join(','));
  return `${lines.join('\n')}\n`;
}

/** Write a stuck-cell CSV (through a temporary file renamed into place). */
export function writeStuckMap(file: string, cells: readonly StuckCell[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, formatStuckMap(cells));
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // the temporary file is gone or cannot be removed: the write error is what matters
    }
    throw new WriteError(file, `cannot be written: ${fsErrorMessage(e)}`, (e as NodeJS.ErrnoException).code);
  }
}
