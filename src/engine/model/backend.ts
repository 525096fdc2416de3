/**
 * Choosing the TensorFlow.js backend: tfjs-node (native TensorFlow) when it
 * is installed and loads, otherwise WebAssembly (XNNPACK, SIMD), which works
 * everywhere; the pure-JavaScript CPU backend only when asked for (it is
 * about fifty times slower than wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../config/schema';
import { UserError } from '../core/errors';

export interface BackendInfo {
  /** What was asked for. */
  requested: BackendName;
  /** The tfjs backend that runs: tensorflow, wasm or cpu. */
  name: string;
  /** Human-readable detail (SIMD, threads, why a fallback happened). */
  detail: string;
}

let active: BackendInfo | undefined;

function tryNode(): string | undefined {
  try {
    // Optional dependency: its install downloads libtensorflow, which fails offline.
    require('@tensorflow/tfjs-node');
    return undefined;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

export async function initBackend(requested: BackendName): Promise<BackendInfo> {
  if (active) {
    if (active.requested === requested || requested === 'auto') return active;
    throw new Error(`backend already initialised as ${active.name}; cannot switch to ${requested} in the same process`);
  }
  let detail = '';
  let target: 'tensorflow' | 'wasm' | 'cpu';
  if (requested === 'node' || requested === 'auto') {
    const failure = tryNode();
    if (!failure) target = 'tensorflow';
    else if (requested === 'node')
      throw new UserError('backend', `"node" needs @tensorflow/tfjs-node, which did not load (${failure}); use "auto" or "wasm"`);
    else {
      target = 'wasm';
      detail = 'tfjs-node not available, using wasm';
    }
  } else target = requested;

  if (target === 'wasm') require('@tensorflow/tfjs-backend-wasm');
  if (target === 'cpu') require('@tensorflow/tfjs-backend-cpu');
  const ok = await tf.setBackend(target);
  if (!ok) throw new UserError('backend', `the ${target} backend failed to initialise`);
  await tf.ready();
  if (target === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    detail = [detail, `SIMD ${simd ? 'on' : 'off'}, ${threads ? 'multi' : 'single'}-threaded`].filter(Boolean).join('; ');
  }
  active = { requested, name: tf.getBackend(), detail };
  return active;
}
