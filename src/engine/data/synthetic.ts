/**
 * A seeded synthetic classification set for tests: each class has a sparse
 * binary prototype; a sample is its class prototype at a random intensity
 * plus Gaussian noise, clipped to [0, 255]. Learnable, but not trivially
 * (with noise 0.25 a linear model does not reach 100%).
 */
import { Rng } from '../core/rng';
import type { Split } from './dataset';

export interface SyntheticSpec {
  inputSize: number;
  classes: number;
  trainSize: number;
  testSize: number;
  noise: number;
}

export function makeSynthetic(spec: SyntheticSpec, seed: number): { train: Split; test: Split } {
  const rng = new Rng(seed, 0x5eed);
  const protos: Float32Array[] = [];
  for (let k = 0; k < spec.classes; k++) {
    const p = new Float32Array(spec.inputSize);
    for (let i = 0; i < spec.inputSize; i++) p[i] = rng.next() < 0.3 ? 1 : 0;
    protos.push(p);
  }
  const split = (count: number): Split => {
    const images = new Uint8Array(count * spec.inputSize);
    const labels = new Uint8Array(count);
    for (let n = 0; n < count; n++) {
      const k = n % spec.classes;
      labels[n] = k;
      const gain = 0.6 + 0.4 * rng.next();
      for (let i = 0; i < spec.inputSize; i++) {
        const v = protos[k][i] * gain + spec.noise * rng.normal();
        images[n * spec.inputSize + i] = Math.max(0, Math.min(255, Math.round(v * 255)));
      }
    }
    return { images, labels, count };
  };
  return { train: split(spec.trainSize), test: split(spec.testSize) };
}
