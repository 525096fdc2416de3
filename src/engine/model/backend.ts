/**
 * Choosing the backends. Training runs on ONNX Runtime (onnxruntime-node,
 * native CPU kernels shipped in the npm package) where it loads; otherwise
 * on TensorFlow.js. The rest of the engine (masks, the spiking simulation)
 * always uses TensorFlow.js: tfjs-node (native TensorFlow) when it is
 * installed and loads, otherwise WebAssembly (XNNPACK, SIMD), which works
 * everywhere; the pure-JavaScript CPU backend only when asked for (it is
 * about fifty times slower than wasm).
 *
 *   auto  ONNX Runtime, else tfjs-node, else wasm
 *   onnx  ONNX Runtime, or a clear error saying why it did not load
 *   node, wasm, cpu  that tfjs backend for everything
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../config/schema';
import { UserError } from '../core/errors';
import { buildEvalGraph } from './onnx/graph';
import { coreCount, createSession, loadOrt, ortVersion } from './onnx/runtime';

export interface BackendInfo {
  /** What was asked for. */
  requested: BackendName;
  /** The backend that trains: onnxruntime, or the tfjs backend (tensorflow, wasm, cpu). */
  name: string;
  /** The tfjs backend of the rest of the engine: tensorflow, wasm or cpu. */
  tfjs: string;
  /** ONNX Runtime's intra-op threads, when it trains. */
  threads?: number;
  /** Human-readable detail (SIMD, threads, why a fallback happened). */
  detail: string;
}

/** ONNX Runtime loads and runs a tiny graph: undefined, or why not. */
async function tryOrt(): Promise<string | undefined> {
  const { ort, failure } = loadOrt();
  if (!ort) return failure;
  try {
    const session = await createSession(buildEvalGraph([2, 2], 'relu'), 1);
    await session.release();
    return undefined;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

let active: BackendInfo | undefined;

/** The backend initialised in this process, if any. */
export const activeBackend = (): BackendInfo | undefined => active;

function tryNode(): string | undefined {
  try {
    // Optional dependency: its install downloads libtensorflow, which fails offline.
    require('@tensorflow/tfjs-node');
    return undefined;
  } catch (e) {
    return loadFailure(e, '@tensorflow/tfjs-node');
  }
}

/** Why a module did not load, in a few words: "not installed" or the first line of the error. */
function loadFailure(e: unknown, moduleName: string): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'MODULE_NOT_FOUND' && err.message.includes(`'${moduleName}'`)) return 'not installed';
  return err.message.split('\n')[0];
}

export async function initBackend(requested: BackendName): Promise<BackendInfo> {
  if (active) {
    if (active.requested === requested || requested === 'auto') return active;
    // A tfjs backend asked for after ONNX Runtime was chosen (a training worker, a test): same tfjs backend, fine.
    if (requested === active.tfjs || (requested === 'node' && active.tfjs === 'tensorflow')) return active;
    throw new Error(`backend already initialised as ${active.name}; cannot switch to ${requested} in the same process`);
  }
  if (requested === 'onnx' || requested === 'auto') {
    const failure = await tryOrt();
    if (failure === undefined) {
      const rest = await initTfjs('auto');
      const threads = coreCount();
      const why = requested === 'auto' ? ', preferred to tfjs' : '';
      active = {
        requested,
        name: 'onnxruntime',
        tfjs: rest.name,
        threads,
        detail: `ONNX Runtime ${ortVersion(loadOrt().ort!)} (CPU, ${threads} intra-op threads) trains and evaluates${why}; tfjs ${rest.name} for the rest (${rest.detail})`,
      };
      return active;
    }
    if (requested === 'onnx') throw new UserError('backend', `"onnx" needs onnxruntime-node, which did not load (${failure}); use "auto" or "wasm"`);
    const rest = await initTfjs('auto');
    active = { requested, name: rest.name, tfjs: rest.name, detail: `onnxruntime-node not available (${failure}); ${rest.detail}` };
    return active;
  }
  const t = await initTfjs(requested);
  active = { requested, name: t.name, tfjs: t.name, detail: t.detail };
  return active;
}

/** Initialise TensorFlow.js: `auto` is tfjs-node when it loads, else wasm. */
async function initTfjs(requested: 'auto' | 'node' | 'wasm' | 'cpu'): Promise<{ name: string; detail: string }> {
  let detail = '';
  let target: 'tensorflow' | 'wasm' | 'cpu';
  if (requested === 'node' || requested === 'auto') {
    const failure = tryNode();
    if (!failure) target = 'tensorflow';
    else if (requested === 'node')
      throw new UserError('backend', `"node" needs @tensorflow/tfjs-node, which did not load (${failure}); use "auto" or "wasm"`);
    else {
      target = 'wasm';
      detail = `tfjs-node ${failure}, using wasm`;
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
  return { name: tf.getBackend(), detail };
}
