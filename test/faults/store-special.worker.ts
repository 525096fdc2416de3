/**
 * Child process of store-special.test.ts: every reader of a run folder, a
 * sweep folder or a config file, pointed at a file that is not a regular
 * file of a sane size — a symbolic link to /dev/zero, a FIFO without a
 * writer, a folder, a sparse 3 GiB file, a symbolic link loop. One JSON line
 * per (reader, hazard). Run under a watchdog (test/faults/isolated.ts): a
 * reader that blocks or reads without end fails the check instead of
 * hanging the suite or the machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfigFile } from '../../src/engine/config/resolve';
import { resumableConfig } from '../../src/engine/experiment/resume';
import {
  listSnapshots,
  readCheckpointFile,
  readClusters,
  readClustersFor,
  readCompare,
  readEvaluation,
  readMapping,
  readMetrics,
  readModel,
  readReportFile,
  readRun,
  RUN_FORMAT,
} from '../../src/engine/store/runFolder';
import { readForkCheckpoint, readFront, readJobRecord, readSweep } from '../../src/engine/store/sweepFolder';
import { tmpDir } from '../helpers/files';

export type Hazard = 'dev-zero link' | 'FIFO' | 'folder' | 'sparse 3 GiB' | 'link loop';
export const HAZARDS: Hazard[] = ['dev-zero link', 'FIFO', 'folder', 'sparse 3 GiB', 'link loop'];

export interface StoreLine {
  reader: string;
  hazard: Hazard;
  /** threw: an error (its message must name the file); absent: the reader reports nothing read (tolerant readers); read: it returned content (wrong). */
  outcome: 'threw' | 'absent' | 'read';
  message?: string;
  file: string;
  ms: number;
  rss: number;
}

/** A reader, the file it reads (relative to the folder) and how to tell "nothing read" from what it returns. */
type Reader = { name: string; file: string; run: (dir: string) => unknown; absent: (v: unknown) => boolean };

const none = (v: unknown) => v === undefined;
const READERS: Reader[] = [
  { name: 'readRun result.json', file: 'result.json', run: readRun, absent: (v) => (v as ReturnType<typeof readRun>).state === 'corrupt' && !!(v as ReturnType<typeof readRun>).problem?.includes('result.json') },
  { name: 'readRun config.json', file: 'config.json', run: readRun, absent: (v) => (v as ReturnType<typeof readRun>).state === 'corrupt' && !!(v as ReturnType<typeof readRun>).problem?.includes('config.json') },
  { name: 'readMetrics', file: 'metrics.jsonl', run: readMetrics, absent: (v) => (v as ReturnType<typeof readMetrics>).metrics.length === 0 && !!(v as ReturnType<typeof readMetrics>).problem?.includes('metrics.jsonl') },
  { name: 'readModel', file: 'model.tnsr', run: readModel, absent: () => false },
  { name: 'readCheckpointFile', file: 'checkpoint.tnsr', run: readCheckpointFile, absent: () => false },
  { name: 'readClusters', file: 'clusters.json', run: readClusters, absent: none },
  { name: 'readClustersFor', file: 'clusters.json', run: (d) => readClustersFor(d, [4, 3, 2]), absent: () => false },
  { name: 'readMapping', file: 'mapping.json', run: readMapping, absent: none },
  { name: 'readEvaluation', file: 'evaluation.json', run: readEvaluation, absent: none },
  { name: 'readCompare', file: 'compare.json', run: readCompare, absent: none },
  { name: 'listSnapshots', file: 'snapshots.tnsr', run: listSnapshots, absent: (v) => (v as unknown[]).length === 0 },
  { name: 'readReportFile', file: 'report.html', run: readReportFile, absent: none },
  { name: 'readSweep', file: 'sweep.json', run: readSweep, absent: none },
  { name: 'readJobRecord', file: 'job-j1.json', run: (d) => readJobRecord(d, 'j1'), absent: none },
  { name: 'readFront', file: 'pareto.json', run: readFront, absent: none },
  {
    name: 'readForkCheckpoint',
    file: 'fork-j1-e2.tnsr',
    run: (d) => {
      const r = readForkCheckpoint(d, 'j1', 2);
      if ('problem' in r) throw new Error(r.problem);
      return r;
    },
    absent: () => false,
  },
  { name: 'loadConfigFile', file: 'cfg.json', run: (d) => loadConfigFile(path.join(d, 'cfg.json')), absent: () => false },
  { name: 'resumableConfig config.json', file: 'config.json', run: (d) => resumableConfig(d), absent: () => false },
];

/** A folder whose other files are sound: only the reader's own file is the hazard. */
function soundFolder(dir: string): void {
  const result = { format: RUN_FORMAT, formatVersion: 1, name: 'x', status: 'interrupted', createdAt: '', updatedAt: '', pid: 1, host: { node: '', platform: '', cpus: 1, cpuModel: '' }, layers: [4, 3, 2], epochsPlanned: 1, epochsCompleted: 0, batchesIntoEpoch: 0, seconds: 0 };
  fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify(result));
  fs.writeFileSync(path.join(dir, 'config.json'), '{}');
}

function plant(file: string, hazard: Hazard): void {
  fs.rmSync(file, { force: true, recursive: true });
  if (hazard === 'dev-zero link') fs.symlinkSync('/dev/zero', file);
  else if (hazard === 'FIFO') spawnSync('mkfifo', [file]);
  else if (hazard === 'folder') fs.mkdirSync(file);
  else if (hazard === 'link loop') fs.symlinkSync(path.basename(file), file);
  else {
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 3 * 2 ** 30);
  }
}

if (require.main === module) {
  const root = tmpDir('trn-store-special-');
  try {
    for (const r of READERS)
      for (const hazard of HAZARDS) {
        const dir = fs.mkdtempSync(path.join(root, 'f-'));
        soundFolder(dir);
        const file = path.join(dir, r.file);
        plant(file, hazard);
        const t0 = performance.now();
        let line: Omit<StoreLine, 'ms' | 'rss'>;
        try {
          const v = r.run(dir);
          line = { reader: r.name, hazard, outcome: r.absent(v) ? 'absent' : 'read', file, message: JSON.stringify(v)?.slice(0, 300) };
        } catch (e) {
          line = { reader: r.name, hazard, outcome: 'threw', file, message: e instanceof Error ? e.message : String(e) };
        }
        const ms = performance.now() - t0;
        process.stdout.write(JSON.stringify({ ...line, ms, rss: process.memoryUsage().rss }) + '\n');
        fs.rmSync(dir, { recursive: true, force: true });
      }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export const READER_COUNT = READERS.length;
