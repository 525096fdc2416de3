/**
 * One run, start to finish: backend, data, run folder, training, results.
 * Emits protocol events as it goes; whatever happens (completion, a stop
 * request, an error) the run folder ends valid and says which.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../config/schema';
import { formatPath } from '../config/validate';
import { transformOf, type LoadedConfig } from '../config/resolve';
import { checkNetworkFitsData, loadDataset } from '../data/datasets';
import { errorMessage, markReported, UserError } from '../core/errors';
import { initBackend } from '../model/backend';
import { MaskedMLP } from '../model/mlp';
import { startRunFolder, hasCheckpoint, listSnapshots, readCheckpointFile, readSnapshot, removeCheckpoint, RunWriter } from '../store/runFolder';
import { localStepper, train, type Stepper } from '../train/loop';
import { HardwareAwareRun } from './hardwareAwareRun';
import { decodeCheckpoint, encodeCheckpoint, type TrainCheckpoint } from '../train/checkpoint';
import { TransformSchedule } from '../transform/schedule';
import { mapLayers, schemesFor } from '../transform/mapping/network';
import { connectivity, connectivitySnapshot, snapshotReasons, writeTransformResults } from '../transform/results';
import type { SnapshotReason } from '../format/clusters';
import type { EpochMetrics } from '../format/metrics';
import type { NamedTensor } from '../store/tensorFile';
import { evaluateNetwork, hardwareSummary } from './evaluate';
import { loadPreset } from '../hardware/presets';
import { ParallelStepper, StartAborted } from '../train/parallel/stepper';
import { OnnxStepper } from '../model/onnx/stepper';
import type { EngineEvent } from '../events';
import { PROTOCOL_VERSION } from '../events';

import type { RunResult } from '../format/run';
export interface RunOptions {
  loaded: LoadedConfig;
  /** Folder that receives the run folder (default `.trannsformer/runs` under the working directory). */
  outRoot: string;
  emit: (e: EngineEvent) => void;
  signal?: AbortSignal;
  /** Continue this stopped or killed run folder from its checkpoint instead of creating a new one (`loaded` is its config.json). */
  resumeDir?: string;
  /** Checkpoint forking (sweeps): hand the training state after `epoch` to `save`, with the mPEs of every epoch so far at each of `crossbars`. */
  forkSave?: { epoch: number; crossbars: number[]; save: (encoded: { tensors: NamedTensor[]; meta: Record<string, unknown> }) => void };
  /** Start a new run from another run's saved state (a fork) instead of epoch 1; its metrics and snapshots up to there are copied. */
  forkFrom?: { tensors: Map<string, NamedTensor>; meta: Record<string, unknown>; file: string };
}

/** An epoch's metrics as a fork carries them: with the mPEs at each crossbar size of the runs that start from it. */
type ForkEpoch = EpochMetrics & { mpesAt?: Record<string, number> };

export const DEFAULT_RUNS_ROOT = path.join('.trannsformer', 'runs');

/** Report an error as an event (once) and mark it so callers do not print it again. */
function reportError(e: unknown, emit: (e: EngineEvent) => void, runDir?: string): unknown {
  emit({ type: 'error', message: errorMessage(e), where: e instanceof UserError ? e.where : undefined, runDir });
  return markReported(e);
}

/** A finished run: its folder and its record. */
export interface RunOutcome {
  dir: string;
  result: RunResult;
}

export async function executeRun(opts: RunOptions): Promise<RunOutcome> {
  const { loaded, emit } = opts;
  const config = loaded.config;
  let backend: Awaited<ReturnType<typeof initBackend>>;
  let data: ReturnType<typeof loadDataset>;
  let checkpoint: TrainCheckpoint | undefined;
  let hwa: HardwareAwareRun | undefined;
  try {
    if (opts.forkFrom) {
      try {
        checkpoint = decodeCheckpoint(opts.forkFrom.tensors, opts.forkFrom.meta, config.network.layers, config.transform.mode !== 'original');
      } catch (e) {
        throw new UserError(opts.forkFrom.file, `cannot start from this checkpoint: ${errorMessage(e)}`);
      }
    } else if (opts.resumeDir !== undefined && hasCheckpoint(opts.resumeDir)) {
      // Read and check the checkpoint before anything else: a damaged one changes nothing in the folder.
      const raw = readCheckpointFile(opts.resumeDir);
      try {
        checkpoint = decodeCheckpoint(raw.tensors, raw.meta, config.network.layers, config.transform.mode !== 'original');
      } catch (e) {
        throw new UserError(raw.file, `cannot resume from this checkpoint: ${errorMessage(e)}`);
      }
    }
    backend = await initBackend(config.backend);
    data = loadDataset(config.dataset, loaded.baseDir, config.training.seed);
    checkNetworkFitsData(data, config.network.layers);
    if (config.hardware.evaluate) loadPreset(config.hardware.preset, loaded.baseDir);
    hwa = HardwareAwareRun.of(config, loaded.baseDir);
  } catch (e) {
    // Nothing was written yet: bad data fails before any run folder exists (or changes).
    throw reportError(e, emit);
  }

  let dir: string;
  let writer: RunWriter;
  try {
    if (opts.resumeDir !== undefined) {
      // Without a checkpoint (killed before the first one) the run starts again from its seed: the same run.
      dir = opts.resumeDir;
      writer = RunWriter.resume(dir, { epoch: checkpoint?.loop.epochsCompleted ?? 0, batchesIntoEpoch: checkpoint?.loop.batchesIntoEpoch ?? 0 });
    } else {
      // Created whole (staged, then renamed): a kill at any moment leaves no half-made run folder.
      writer = startRunFolder(opts.outRoot, config.name, config, path.resolve(loaded.file));
      dir = writer.dir;
      if (opts.forkFrom && checkpoint) copyForkedEpochs(writer, opts.forkFrom, checkpoint.loop.epochsCompleted, transformOf(config).crossbar);
    }
  } catch (e) {
    throw reportError(e, emit);
  }
  const datasetInfo = { name: data.name, source: data.source, train: data.train.count, test: data.test.count, inputSize: data.inputSize, classes: data.classes, notes: data.notes };
  writer.update({ backend: { name: backend.name, detail: backend.detail }, dataset: datasetInfo });
  emit({
    type: 'started',
    protocol: PROTOCOL_VERSION,
    runDir: dir,
    name: config.name,
    epochs: config.training.epochs,
    backend: { name: backend.name, detail: backend.detail },
    dataset: { name: data.name, train: data.train.count, test: data.test.count, inputSize: data.inputSize, classes: data.classes, notes: data.notes },
    warnings: loaded.warnings.map((w) => `${formatPath(w.path)}: ${w.message}`),
    ...(opts.resumeDir !== undefined ? { resumedFrom: { epoch: checkpoint?.loop.epochsCompleted ?? 0, batchesIntoEpoch: checkpoint?.loop.batchesIntoEpoch ?? 0 } } : {}),
  });

  const model = checkpoint ? MaskedMLP.fromState(config.network.layers, config.network.output, checkpoint.model) : MaskedMLP.create(config.network, config.training.seed);
  const transform = transformOf(config);
  const schedule = new TransformSchedule(transform, config.network.layers, config.training.seed);
  if (checkpoint?.schedule) schedule.restoreState(checkpoint.schedule);
  // A fork's parent may have had another cluster-pruning factor: it acts only from clusterPruneStart, after the fork.
  if (opts.forkFrom) for (const s of schedule.state) s.clusterPruneFactor = transform.clusterPruneFactor;
  if (checkpoint) {
    const { epochsCompleted: e, batchesIntoEpoch: b } = checkpoint.loop;
    emit({ type: 'log', level: 'info', message: `resuming from the checkpoint after epoch ${e}${b ? ` and ${b} batches of epoch ${e + 1}` : ''}` });
  } else if (opts.resumeDir !== undefined) emit({ type: 'log', level: 'info', message: 'no checkpoint (stopped before the first one): training again from the start, with the same seed' });
  // Checkpoints: every `checkpointEvery` epochs, at the last epoch, and when stopped.
  const every = config.training.checkpointEvery;
  const forkHistory: ForkEpoch[] = [];
  let pendingMpesAt: Record<string, number> | undefined;
  let epochNow = 0;
  const writeCheckpoint = (loop: TrainCheckpoint['loop'], final: boolean) => {
    const fork = opts.forkSave;
    const forkNow = !!fork && !final && loop.epochsCompleted === fork.epoch && loop.batchesIntoEpoch === 0;
    const due = (final || loop.epochsCompleted === config.training.epochs || (every > 0 && loop.epochsCompleted % every === 0)) && (loop.epochsCompleted > 0 || loop.batchesIntoEpoch > 0);
    if (!forkNow && !due) return;
    // One copy of the state for both: the fork a sweep's children start from and the run's own checkpoint.
    const enc = encodeCheckpoint({
      layers: config.network.layers,
      loop,
      model: model.exportState(),
      schedule: schedule.prunes ? schedule.exportState() : undefined,
      // The view the next (or unfinished) epoch trains through: a resumed run goes on through the same one.
      ...(hwa?.view && hwa.covers(loop.epochsCompleted + 1) ? { hardwareView: hwa.view } : {}),
    });
    if (forkNow) fork!.save({ tensors: enc.tensors, meta: { ...enc.meta, history: forkHistory, parentRunDir: dir } });
    if (due) writer.writeCheckpoint(enc, { epoch: loop.epochsCompleted, batchesIntoEpoch: loop.batchesIntoEpoch });
  };
  const shown = schemesFor(transform.mode).shown;
  const finishTransform = () => {
    if (transform.mode === 'offline') schedule.clusterOffline();
    const mapping = writeTransformResults(writer, schedule, transform);
    writer.update({ mapping });
  };
  let stepper: Stepper | undefined;
  let pool: ParallelStepper | undefined;
  let onnx: OnnxStepper | undefined;
  const saveModel = (note?: string): { weights: Float32Array[]; masks: Uint8Array[] } => {
    const weights = model.exportWeights();
    const masks = model.exportMasks();
    writer.writeModel(
      weights.flatMap((w, l) => {
        const shape = [config.network.layers[l + 1], config.network.layers[l]];
        return [
          { name: `weights/${l}`, shape, data: w },
          { name: `masks/${l}`, shape, data: masks[l] },
        ];
      }),
      note,
    );
    return { weights, masks };
  };
  // Connectivity snapshots: the first epoch, every clustering event, a few epochs between, the end.
  const snapshotEvery = Math.max(1, Math.round(config.training.epochs / 6));
  const snapshot = (epoch: number, reasons: SnapshotReason[]) => writer.snapshot(connectivitySnapshot(schedule, epoch, reasons));
  try {
    if (backend.name === 'onnxruntime') {
      onnx = await OnnxStepper.start(model, config.network, config.training, backend.threads);
      stepper = onnx;
      emit({
        type: 'log',
        level: 'info',
        message:
          `training on ONNX Runtime with ${onnx.threads} intra-op threads` +
          (config.training.workers > 1 ? ` (training.workers = ${config.training.workers} applies to the tfjs backends: no worker threads started)` : ''),
      });
    } else if (config.training.workers > 1 && !hwa) {
      pool = await ParallelStepper.start(model, config, backend.name as BackendName, config.training.workers, opts.signal);
      stepper = pool;
      emit({ type: 'log', level: 'info', message: `data-parallel training on ${config.training.workers} threads` });
    } else if (config.training.workers > 1)
      emit({ type: 'log', level: 'warning', message: `hardware-aware training runs in this process: training.workers = ${config.training.workers} is not used` });
    // Hardware-aware training: from its first epoch each batch trains through the chip view of its epoch.
    const hwStepper = hwa ? (stepper ??= localStepper(model, config.network, config.training, data.inputSize)) : undefined;
    const throughChip = async (epoch: number, reuse?: TrainCheckpoint['hardwareView']) => {
      if (!hwa || !hwStepper || !hwa.covers(epoch)) return;
      const first = !hwa.view;
      if (reuse) hwa.view = reuse;
      else {
        const s = hwa.solve(model, schedule);
        emit({ type: 'log', level: 'info', message: `hardware-aware training: the chip view for epoch ${epoch} (${config.hardware.preset}, ${transform.crossbar}×${transform.crossbar}), IR drop solved in ${s.toFixed(1)} s` });
      }
      if (first) await hwStepper.setForwardWeights!(hwa.forward());
    };
    // A fork's parent trained at another size: its view is not this run's.
    await throughChip((checkpoint?.loop.epochsCompleted ?? 0) + 1, opts.forkFrom ? undefined : checkpoint?.hardwareView);
    const outcome = await train({
      model,
      data,
      network: config.network,
      training: config.training,
      stepper,
      afterEpochTraining: schedule.prunes
        ? (epoch, trainLoss) => {
            epochNow = epoch;
            const report = schedule.epochEnd(epoch, model.exportWeights(), trainLoss);
            schedule.state.forEach((s, l) => model.setMask(l, s.map));
            for (const a of report.actions) emit({ type: 'log', level: 'info', message: `epoch ${epoch}: ${a}` });
            const reasons = snapshotReasons(report.actions);
            if (epoch === 1) reasons.push('first');
            else if (epoch % snapshotEvery === 0) reasons.push('epoch');
            if (reasons.length) snapshot(epoch, reasons);
          }
        : undefined,
      afterMasksApplied: pool ? () => pool!.syncFromModel() : hwa ? (epoch) => throughChip(epoch + 1) : undefined,
      epochTransformMetrics: schedule.prunes
        ? () => {
            const s = schedule.summary();
            const conn = connectivity(schedule);
            const m = mapLayers(shown, conn, transform.crossbar);
            if (opts.forkSave && epochNow <= opts.forkSave.epoch)
              pendingMpesAt = Object.fromEntries(opts.forkSave.crossbars.map((x) => [String(x), mapLayers(shown, conn, x).total]));
            return { prunedFraction: s.keptFraction.map((k) => 1 - k), unclusteredFraction: s.unclusteredFraction, clusters: s.clusters, mpes: m.total, mapping: shown };
          }
        : undefined,
      signal: opts.signal,
      resumeFrom: checkpoint?.loop,
      onCheckpoint: writeCheckpoint,
      onProgress: (p) => {
        writer.heartbeat();
        emit({ type: 'progress', ...p });
      },
      onEpoch: (m) => {
        if (opts.forkSave && m.epoch <= opts.forkSave.epoch) forkHistory.push({ ...m, mpesAt: pendingMpesAt });
        writer.epoch(m);
        emit({ type: 'epoch', metrics: m });
      },
    });
    finishTransform();
    if (schedule.prunes && outcome.epochsCompleted > 0) snapshot(outcome.epochsCompleted, ['final']);
    if (outcome.status === 'interrupted') {
      saveModel(
        outcome.batchesIntoEpoch > 0
          ? `weights after ${outcome.batchesIntoEpoch} batches of epoch ${outcome.epochsCompleted + 1} (stopped mid-epoch)`
          : `weights after epoch ${outcome.epochsCompleted}`,
      );
      const result = writer.finish('interrupted', { batchesIntoEpoch: outcome.batchesIntoEpoch });
      emit({ type: 'finished', status: 'interrupted', runDir: dir, result });
      return { dir, result };
    }
    const { weights, masks } = saveModel();
    if (config.hardware.evaluate) {
      emit({ type: 'log', level: 'info', message: `spiking conversion and pricing (${config.hardware.preset}, ${transform.crossbar}×${transform.crossbar}, T = ${config.hardware.timesteps}, ${config.hardware.snnImages} images)` });
      try {
        // Priced in memory from what the run holds: no file of this run is read back.
        const connectivity = masks.map((map, l) => ({
          rows: config.network.layers[l + 1],
          cols: config.network.layers[l],
          map,
          clusters: (schedule.state[l]?.clusters ?? []).map((c) => ({ inputs: c.inputs, outputs: c.outputs, quality: c.quality, valid: c.valid })),
        }));
        const chips = config.hardware.chips;
        if (chips) emit({ type: 'log', level: 'info', message: `hardware accuracy on ${chips} simulated chip${chips === 1 ? '' : 's'}` });
        const evaluation = await evaluateNetwork({ runDir: dir, config, baseDir: loaded.baseDir, status: 'completed', layers: config.network.layers, weights, masks, connectivity }, { data, chips });
        writer.writeEvaluation(evaluation);
        writer.update({ hardware: hardwareSummary(evaluation) });
      } catch (e) {
        // A run's training results stand even if pricing fails (a bad preset file, say): say so and keep them.
        writer.update({ hardware: { error: errorMessage(e) } });
        emit({ type: 'log', level: 'warning', message: `evaluation failed: ${errorMessage(e)}` });
      }
    }
    // A completed run needs no checkpoint (its weights are in model.tnsr).
    removeCheckpoint(dir);
    const result = writer.finish('completed', { checkpoint: undefined });
    emit({ type: 'finished', status: 'completed', runDir: dir, result });
    return { dir, result };
  } catch (e) {
    if (e instanceof StartAborted) {
      // Stopped before the first batch: nothing trained, the folder says so.
      const result = writer.finish('interrupted', { weightsNote: 'stopped while the training workers were starting' });
      emit({ type: 'finished', status: 'interrupted', runDir: dir, result });
      return { dir, result };
    }
    writer.finish('failed', { error: { message: errorMessage(e), where: e instanceof UserError ? e.where : undefined } });
    throw reportError(e, emit, dir);
  } finally {
    await pool?.close();
    await onnx?.close();
    model.dispose();
    if (tf.memory().numTensors > 0) tf.disposeVariables();
  }
}

/**
 * A forked run's first epochs are its parent's: copy their metrics (with the
 * mPEs at this run's crossbar size) and connectivity snapshots, so the
 * folder reads as if it had trained them itself.
 */
function copyForkedEpochs(writer: RunWriter, fork: NonNullable<RunOptions['forkFrom']>, epoch: number, crossbar: number): void {
  const history = Array.isArray(fork.meta.history) ? (fork.meta.history as ForkEpoch[]) : [];
  for (const h of history) {
    if (h.epoch > epoch) continue;
    const { mpesAt, ...m } = h;
    const own = mpesAt?.[String(crossbar)];
    writer.epoch(m.transform && own !== undefined ? { ...m, transform: { ...m.transform, mpes: own } } : m);
  }
  const parent = typeof fork.meta.parentRunDir === 'string' ? fork.meta.parentRunDir : undefined;
  if (parent)
    for (const s of listSnapshots(parent)) {
      const snap = s.epoch <= epoch ? readSnapshot(parent, s.epoch) : undefined;
      if (snap) writer.snapshot(snap);
    }
  writer.update({ forkedFrom: { checkpoint: fork.file, epoch, ...(parent ? { run: parent } : {}) } });
}
