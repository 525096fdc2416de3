/**
 * SVHN "cropped digits" (train_32x32.mat, test_32x32.mat): variable X is a
 * uint8 32×32×3×N array (MATLAB column-major: row, column, channel, image),
 * y an N×1 array of labels 1–10, where 10 stands for the digit 0.
 */
import * as path from 'node:path';
import { UserError } from '../core/errors';
import type { Split } from './dataset';
import { readRegularFile, requireFolder } from './files';
import { readMat5, type MatHeader } from './mat5';
import { luma } from './gray';

/**
 * SVHN needs the data of y and of an X shaped as uint8 32×32×3×N, decided
 * from their headers: other variables (and an X of another shape, refused
 * below) are listed, never read or inflated.
 */
const svhnVariable = (h: MatHeader): boolean =>
  h.name === 'y' || (h.name === 'X' && h.className === 'uint8' && h.dims.length === 4 && h.dims[0] === 32 && h.dims[1] === 32 && h.dims[2] === 3);

export function parseSvhn(buf: Uint8Array, file: string, color: 'gray' | 'rgb'): Split {
  const vars = readMat5(buf, file, { select: svhnVariable });
  const X = vars.get('X');
  const y = vars.get('y');
  if (!X || !y) throw new UserError(file, `needs variables "X" and "y"; found ${[...vars.keys()].map((n) => n || '""').join(', ') || 'none'}`);
  if (!X.data || X.dims.length !== 4 || X.dims[0] !== 32 || X.dims[1] !== 32 || X.dims[2] !== 3)
    throw new UserError(file, `variable X is ${X.className} ${X.dims.join('×')}; expected 32×32×3×N images`);
  if (!(X.data instanceof Uint8Array)) throw new UserError(file, `variable X is stored as ${X.className}; expected uint8 pixels`);
  const count = X.dims[3];
  if (!y.data || y.data.length !== count)
    throw new UserError(file, `variable y has ${y.data?.length ?? 0} labels but X has ${count} images`);
  const inputSize = color === 'rgb' ? 3072 : 1024;
  const images = new Uint8Array(count * inputSize);
  const labels = new Uint8Array(count);
  const px = X.data;
  for (let n = 0; n < count; n++) {
    const label = y.data[n];
    if (!Number.isInteger(label) || label < 1 || label > 10)
      throw new UserError(file, `label ${label} at index ${n} is out of range: SVHN labels are 1–10 (10 is the digit 0)`);
    labels[n] = label === 10 ? 0 : label;
    const base = n * 3072;
    for (let r = 0; r < 32; r++)
      for (let c = 0; c < 32; c++) {
        const src = base + r + 32 * c; // column-major
        const R = px[src];
        const G = px[src + 1024];
        const B = px[src + 2048];
        const dst = r * 32 + c; // row-major, as CIFAR-10's planes
        if (color === 'rgb') {
          images[n * 3072 + dst] = R;
          images[n * 3072 + 1024 + dst] = G;
          images[n * 3072 + 2048 + dst] = B;
        } else images[n * 1024 + dst] = luma(R, G, B);
      }
  }
  return { images, labels, count };
}

export function readSvhn(dir: string, color: 'gray' | 'rgb'): { train: Split; test: Split } {
  requireFolder(dir, 'dataset.path for svhn');
  const read = (n: string) => {
    const f = path.join(dir, n);
    return parseSvhn(readRegularFile(f), f, color);
  };
  return { train: read('train_32x32.mat'), test: read('test_32x32.mat') };
}
