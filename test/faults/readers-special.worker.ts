/**
 * Child process of readers-fuzz.test.ts: dataset readers pointed at what is
 * not a regular file — /dev/zero, a FIFO with no writer, a folder, a
 * symbolic link to a device — and at folders that are files. One JSON line
 * per check. Run under a watchdog: a reader that blocks or reads forever
 * makes the check time out instead of hanging the suite.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { UserError } from '../../src/engine/core/errors';
import { readIdxSplit } from '../../src/engine/data/idx';
import { readCifar10 } from '../../src/engine/data/cifar';
import { readSvhn } from '../../src/engine/data/svhn';
import { cifarBatch, idxBytes, svhnMat, tmpDir } from '../helpers/files';

export interface SpecialLine {
  name: string;
  outcome: 'ok' | 'user-error' | 'other-error';
  message?: string;
  /** What the message must name. */
  names: string;
  ms: number;
}

if (require.main === module) {
  const dir = tmpDir('trn-special-');
  const fifo = path.join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);
  const labels = path.join(dir, 'labels');
  fs.writeFileSync(labels, idxBytes([1], new Uint8Array(1)));
  const images = path.join(dir, 'images');
  fs.writeFileSync(images, idxBytes([1, 1, 1], new Uint8Array(1)));
  const sub = (name: string) => {
    const d = path.join(dir, name);
    fs.mkdirSync(d);
    return d;
  };
  const checks: [string, string, () => unknown][] = [
    ['IDX images file is /dev/zero', '/dev/zero', () => readIdxSplit('/dev/zero', labels)],
    ['IDX labels file is a FIFO without a writer', fifo, () => readIdxSplit(images, fifo)],
    ['IDX images file is a folder', dir, () => readIdxSplit(dir, labels)],
    ['IDX .gz file is /dev/urandom', '/dev/urandom', () => readIdxSplit('/dev/urandom', labels)],
    [
      'CIFAR-10 batch is a symbolic link to /dev/zero',
      'data_batch_1.bin',
      () => {
        const d = sub('cifar-link');
        fs.symlinkSync('/dev/zero', path.join(d, 'data_batch_1.bin'));
        fs.writeFileSync(path.join(d, 'test_batch.bin'), cifarBatch(1));
        return readCifar10(d, 'gray');
      },
    ],
    [
      'CIFAR-10 test batch is a FIFO',
      'test_batch.bin',
      () => {
        const d = sub('cifar-fifo');
        fs.writeFileSync(path.join(d, 'data_batch_1.bin'), cifarBatch(1));
        spawnSync('mkfifo', [path.join(d, 'test_batch.bin')]);
        return readCifar10(d, 'gray');
      },
    ],
    ['CIFAR-10 folder is a file', labels, () => readCifar10(labels, 'gray')],
    [
      'SVHN train file is a FIFO',
      'train_32x32.mat',
      () => {
        const d = sub('svhn-fifo');
        spawnSync('mkfifo', [path.join(d, 'train_32x32.mat')]);
        fs.writeFileSync(path.join(d, 'test_32x32.mat'), svhnMat([1]));
        return readSvhn(d, 'gray');
      },
    ],
    [
      'SVHN test file is a folder',
      'test_32x32.mat',
      () => {
        const d = sub('svhn-dir');
        fs.writeFileSync(path.join(d, 'train_32x32.mat'), svhnMat([1]));
        fs.mkdirSync(path.join(d, 'test_32x32.mat'));
        return readSvhn(d, 'gray');
      },
    ],
    ['SVHN folder is a file', labels, () => readSvhn(labels, 'gray')],
  ];
  try {
    for (const [name, names, run] of checks) {
      const t0 = performance.now();
      let outcome: SpecialLine['outcome'] = 'ok';
      let message: string | undefined;
      try {
        run();
      } catch (e) {
        outcome = e instanceof UserError ? 'user-error' : 'other-error';
        message = e instanceof Error ? (outcome === 'other-error' ? (e.stack ?? e.message) : e.message) : String(e);
      }
      const line: SpecialLine = { name, outcome, message, names, ms: performance.now() - t0 };
      process.stdout.write(JSON.stringify(line) + '\n');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
