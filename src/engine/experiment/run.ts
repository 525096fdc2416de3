/**
 * One run, start to finish: backend, data, run folder, training, results.
 * Emits protocol events as it goes; whatever happens (completion, a stop
 * request, an error) the run folder ends valid and says which.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resolveTransform, type BackendName } from '../config/schema';
import { formatPath, type LoadedConfig } from '../config/validate';
import { checkNetworkFitsData, loadDataset } from '../data/datasets';
import { errorMessage, markReported, UserError } from '../core/errors';
import { initBackend } from '../model/backend';
import { MaskedMLP } from '../model/mlp';
import { createRunDir, RunWriter } from '../store/runFolder';
import { train, type Stepper } from '../train/loop';
import { Transformer } from '../transform/schedule';
import { mapLayers, schemesFor } from '../transform/mapping/schemes';
import { connectivity, writeTransformResults } from '../transform/results';
import { evaluateRun, hardwareSummary } from './evaluate';
import { loadPreset } from '../hardware/cost';
import { ParallelStepper } from '../train/parallel/stepper';
import type { EngineEvent } from '../events';
import { PROTOCOL_VERSION } from '../events';

import type { RunResult } from '../format/run';
export interface RunOptions {
  loaded: LoadedConfig;
  /** Folder that receives the run folder (default `.trannsformer/runs` under the working directory). */
  outRoot: string;
  emit: (e: EngineEvent) => void;
  signal?: AbortSignal;
  backend?: BackendName;
}

export const DEFAULT_RUNS_ROOT = path.join('.trannsformer', 'runs');

/** Report an error as an event (once) and mark it so callers do not print it again. */
function reportError(e: unknown, emit: (e: EngineEvent) => void, runDir?: string): unknown {
  emit({ type: 'error', message: errorMessage(e), where: e instanceof UserError ? e.where : undefined, runDir });
  return markReported(e);
}

export async function executeRun(opts: RunOptions): Promise<RunResult> {
  const { loaded, emit } = opts;
  const config = loaded.config;
  if (opts.backend) config.backend = opts.backend;
  let backend: Awaited<ReturnType<typeof initBackend>>;
  let data: ReturnType<typeof loadDataset>;
  try {
    backend = await initBackend(config.backend);
    data = loadDataset(config.dataset, loaded.baseDir, config.training.seed);
    checkNetworkFitsData(data, config.network.layers);
    if (config.hardware.evaluate) loadPreset(config.hardware.preset, loaded.baseDir);
  } catch (e) {
    // Nothing was written yet: bad data fails before any run folder exists.
    throw reportError(e, emit);
  }

  const dir = createRunDir(opts.outRoot, config.name);
  const writer = new RunWriter(dir, config, path.resolve(loaded.file));
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
  });

  const model = MaskedMLP.create(config.network, config.training.seed);
  const transform = resolveTransform(config.transform, config.training.epochs, config.network.layers.length - 1);
  const transformer = new Transformer(transform, config.network.layers, config.training.seed);
  const shown = schemesFor(transform.mode).shown;
  const finishTransform = () => {
    if (transform.mode === 'offline') transformer.clusterOffline();
    const mapping = writeTransformResults(writer, transformer, transform);
    writer.update({ mapping });
  };
  let stepper: Stepper | undefined;
  let pool: ParallelStepper | undefined;
  const saveModel = (note?: string) => {
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
  };
  try {
    if (config.training.workers > 1) {
      pool = await ParallelStepper.start(model, config, backend.name as BackendName, config.training.workers);
      stepper = pool;
      emit({ type: 'log', level: 'info', message: `data-parallel training on ${config.training.workers} threads` });
    }
    const outcome = await train({
      model,
      data,
      network: config.network,
      training: config.training,
      stepper,
      afterEpochTraining: transformer.prunes
        ? (epoch, trainLoss) => {
            const report = transformer.epochEnd(epoch, model.exportWeights(), trainLoss);
            transformer.state.forEach((s, l) => model.setMask(l, s.map));
            for (const a of report.actions) emit({ type: 'log', level: 'info', message: `epoch ${epoch}: ${a}` });
          }
        : undefined,
      afterMasksApplied: pool ? () => pool!.syncFromModel() : undefined,
      epochTransformMetrics: transformer.prunes
        ? () => {
            const s = transformer.summary();
            const m = mapLayers(shown, connectivity(transformer), transform.crossbar);
            return { prunedFraction: s.keptFraction.map((k) => 1 - k), unclusteredFraction: s.unclusteredFraction, clusters: s.clusters, mpes: m.total, mapping: shown };
          }
        : undefined,
      signal: opts.signal,
      onProgress: (p) => emit({ type: 'progress', ...p }),
      onEpoch: (m) => {
        writer.epoch(m);
        emit({ type: 'epoch', metrics: m });
      },
    });
    finishTransform();
    if (outcome.status === 'interrupted') {
      saveModel(
        outcome.batchesIntoEpoch > 0
          ? `weights after ${outcome.batchesIntoEpoch} batches of epoch ${outcome.epochsCompleted + 1} (stopped mid-epoch)`
          : `weights after epoch ${outcome.epochsCompleted}`,
      );
      const result = writer.finish('interrupted', { batchesIntoEpoch: outcome.batchesIntoEpoch });
      emit({ type: 'finished', status: 'interrupted', runDir: dir, result });
      return result;
    }
    saveModel();
    if (config.hardware.evaluate) {
      emit({ type: 'log', level: 'info', message: `spiking conversion and pricing (${config.hardware.preset}, ${transform.crossbar}×${transform.crossbar}, T = ${config.hardware.timesteps}, ${config.hardware.snnImages} images)` });
      try {
        writer.update({ hardware: hardwareSummary(evaluateRun(dir, { data })) });
      } catch (e) {
        // A run's training results stand even if pricing fails (a bad preset file, say): say so and keep them.
        writer.update({ hardware: { error: errorMessage(e) } });
        emit({ type: 'log', level: 'warning', message: `evaluation failed: ${errorMessage(e)}` });
      }
    }
    const result = writer.finish('completed');
    emit({ type: 'finished', status: 'completed', runDir: dir, result });
    return result;
  } catch (e) {
    writer.finish('failed', { error: { message: errorMessage(e), where: e instanceof UserError ? e.where : undefined } });
    throw reportError(e, emit, dir);
  } finally {
    await pool?.close();
    model.dispose();
    if (tf.memory().numTensors > 0) tf.disposeVariables();
  }
}
