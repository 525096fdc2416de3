/** Messages between the training thread and its data-parallel gradient workers. */
import type { OutputKind, DropoutSpec } from '../../model/mlp';

/** A replica's parameters in the internal [inputs, outputs] layout, one array per layer. */
export interface ReplicaState {
  W: Float32Array[];
  V: Float32Array[];
  masks: Float32Array[];
}

export type ToWorker =
  | { type: 'init'; backend: string; layers: number[]; output: OutputKind; grad: SharedArrayBuffer; sum: SharedArrayBuffer; state: ReplicaState }
  | { type: 'grad'; x: Float32Array; labels: Int32Array; count: number; scale: number; drop: DropoutSpec }
  | { type: 'apply'; learningRate: number; momentum: number }
  | { type: 'sync'; state: ReplicaState }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'grads'; lossSum: number; correct: number }
  | { type: 'error'; message: string };
