/**
 * Loading ONNX Runtime (onnxruntime-node: CPU kernels shipped inside the npm
 * package) lazily, so that a missing or broken install makes the backend
 * choice fall back instead of failing every import of the engine.
 */
import * as os from 'node:os';
import type * as Ort from 'onnxruntime-node';

export type OrtModule = typeof Ort;

let cached: { ort?: OrtModule; failure?: string } | undefined;

/** The onnxruntime-node module, or why it did not load. */
export function loadOrt(): { ort?: OrtModule; failure?: string } {
  if (!cached) {
    try {
      // Kept out of the bundle (esbuild external): its native binding loads from its own package folder.
      const ort = require('onnxruntime-node') as OrtModule;
      if (typeof ort.InferenceSession?.create !== 'function') throw new Error('onnxruntime-node has no InferenceSession');
      cached = { ort };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      cached = { failure: err.code === 'MODULE_NOT_FOUND' && err.message.includes("'onnxruntime-node'") ? 'not installed' : err.message.split('\n')[0] };
    }
  }
  return cached;
}

/** The module, or an error saying why it is not there. */
export function requireOrt(): OrtModule {
  const { ort, failure } = loadOrt();
  if (!ort) throw new Error(`onnxruntime-node did not load (${failure})`);
  return ort;
}

/** Processor cores this process may use: the default intra-op thread count. */
export function coreCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export function ortVersion(ort: OrtModule): string {
  return ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown';
}

/** A CPU session on a serialised model, with all graph optimisations and `threads` intra-op threads. */
export async function createSession(model: Uint8Array, threads: number): Promise<Ort.InferenceSession> {
  const ort = requireOrt();
  return ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    enableMemPattern: true,
    // Warnings only; ORT's informational lines would interleave with the engine's own output.
    logSeverityLevel: 2,
  });
}
