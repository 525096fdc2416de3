import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { TransformSchedule } from '../../src/engine/transform/schedule';
import { resolveTransform, type TransformConfig } from '../../src/engine/config/schema';
import { validateConfig } from '../../src/engine/config/validate';

/** One 4-output × 6-input layer: block A = rows {0,1} × cols {0,1,2}, block B = rows {2,3} × cols {3,4,5}. */
function weights(a: number, b: number, noise: number): Float32Array {
  const w = new Float32Array(24).fill(noise);
  for (const r of [0, 1]) for (const c of [0, 1, 2]) w[r * 6 + c] = a;
  for (const r of [2, 3]) for (const c of [3, 4, 5]) w[r * 6 + c] = b;
  return w;
}

function transformer(over: Partial<TransformConfig>, epochs = 10): TransformSchedule {
  const { config } = validateConfig({
    dataset: { name: 'synthetic', synthetic: { inputSize: 6, classes: 4 } },
    network: { layers: [6, 4] },
    training: { epochs },
    transform: { crossbar: 8, pruneRates: [1], pruneRateScale: 0.01, slowdown: 1, k: 2, ...over },
  });
  assert.ok(config);
  return new TransformSchedule(resolveTransform(config.transform, epochs, 1), [6, 4], 1);
}

const ones = (a: Uint8Array) => a.reduce((x, y) => x + y, 0);

describe('pruning step', () => {
  test('defaults scale with the epoch count as the reference does', () => {
    const { config } = validateConfig({ dataset: { name: 'mnist' }, network: { layers: [784, 1200, 1200, 10] }, training: { epochs: 60 }, transform: { mode: 'trannsformer' } });
    const t = resolveTransform(config!.transform, 60, 3);
    assert.equal(t.clusterStart, 12);
    assert.equal(t.clusterPruneStart, 48);
    assert.ok(Math.abs(t.slowdown - 40 / 60) < 1e-12);
    assert.deepEqual(t.pruneRates, [0.5, 0.5, 0.5]);
    assert.deepEqual(resolveTransform(config!.transform, 60, 4).pruneRates, [0.5, 0.5, 0.5, 2.5]);
  });

  test('ADP: the threshold rises only while the training error falls', () => {
    const t = transformer({ mode: 'pruning' });
    const w = weights(0.5, 0.5, 0.005);
    t.epochEnd(1, [w], 1.0); // th 0 → all kept, then th = 0.01
    assert.equal(ones(t.state[0].map), 24);
    assert.ok(Math.abs(t.state[0].pruneTh - 0.01) < 1e-12);
    t.epochEnd(2, [w], 1.5); // error rose: noise (0.005 < 0.01) pruned, threshold stays
    assert.equal(ones(t.state[0].map), 12);
    assert.ok(Math.abs(t.state[0].pruneTh - 0.01) < 1e-12);
    t.epochEnd(3, [w], 1.2); // fell again
    assert.ok(Math.abs(t.state[0].pruneTh - 0.02) < 1e-12);
  });

  test('TraNNsformer: clusters form at clusterStart, protect their synapses, and weak ones are pruned late', () => {
    const t = transformer({ mode: 'trannsformer', clusterStart: 2, clusterPruneStart: 4, clusterPruneFactor: 0.6, innerPruneRate: 0 });
    t.epochEnd(1, [weights(0.5, 0.5, 0.005)], 1.0);
    assert.equal(t.state[0].clusters.length, 0);
    t.epochEnd(2, [weights(0.5, 0.5, 0.005)], 0.9); // pmap = the two blocks → two clusters
    const s = t.state[0];
    const blocks = s.clusters.map((c) => [Array.from(c.outputs), Array.from(c.inputs)]).sort();
    assert.deepEqual(blocks, [
      [[0, 1], [0, 1, 2]],
      [[2, 3], [3, 4, 5]],
    ]);
    assert.equal(ones(s.cmap), 12);
    assert.equal(s.unclusteredCurr, 0);
    // A weak synapse inside block A is protected (innerPruneRate 0); noise outside is pruned.
    const w = weights(0.5, 0.5, 0.005);
    w[0] = 0.0001;
    t.epochEnd(3, [w], 0.8);
    assert.equal(s.map[0], 1, 'clustered synapse protected');
    assert.equal(ones(s.map), 12);
    // From clusterPruneStart: block B loses most of its synapses to the threshold (0.04 by now),
    // so its score 1·2 ≤ 0.6 × block A's 1·6 and it is pruned.
    const w2 = weights(0.5, 0.03, 0.005);
    w2[2 * 6 + 3] = 0.5;
    w2[3 * 6 + 4] = 0.5;
    t.epochEnd(4, [w2], 0.7);
    assert.deepEqual(s.clusters.map((c) => c.valid).sort(), [false, true]);
    assert.equal(ones(s.cmap), 6);
    assert.equal(s.map[2 * 6 + 5], 0, 'pruned cluster block cleared');
    assert.equal(s.map[2 * 6 + 3], 0, 'its strong synapses go too (pmap cleared in the block)');
    assert.equal(t.summary().clusters[0], 1);
  });

  test('pruning inside clusters: weak clustered synapses go, a thinned cluster dissolves, re-clustering finds the real blocks', () => {
    const t = transformer({ mode: 'trannsformer', clusterStart: 1, innerPruneRate: 1, qualityMin: 0.6, clusterPruneStart: 100, refine: true }, 200);
    const w = weights(0.5, 0.5, 0.0);
    const s = t.state[0];
    t.epochEnd(1, [w], 1.0); // threshold 0: every synapse kept → one dense cluster over the whole layer
    assert.equal(s.clusters.length, 1);
    assert.equal(s.clusters[0].outputs.length * s.clusters[0].inputs.length, 24);
    assert.ok(s.innerTh > 0);
    t.epochEnd(2, [w], 0.9); // inside the cluster the zero weights now go: density 12/24 < 0.6 → dissolved
    assert.equal(s.clusters[0].valid, false);
    assert.equal(ones(s.map), 12);
    assert.equal(ones(s.cmap), 0);
    t.epochEnd(3, [w], 0.8); // unclustered fraction jumped 0 → 0.5: CDP only
    assert.equal(t.summary().clusters[0], 0);
    t.epochEnd(4, [w], 0.7); // settled: the unclustered synapses are clustered
    const blocks = s.clusters.filter((c) => c.valid).map((c) => [Array.from(c.outputs), Array.from(c.inputs)]).sort();
    assert.deepEqual(blocks, [
      [[0, 1], [0, 1, 2]],
      [[2, 3], [3, 4, 5]],
    ]);
    assert.equal(ones(s.map), 12);
  });

  test('offline: prune only, then cluster once without changing the masks', () => {
    const t = transformer({ mode: 'offline' });
    t.epochEnd(1, [weights(0.5, 0.5, 0.005)], 1);
    t.epochEnd(2, [weights(0.5, 0.5, 0.005)], 0.9);
    const before = Uint8Array.from(t.state[0].map);
    t.clusterOffline();
    assert.deepEqual(t.state[0].map, before);
    assert.equal(t.state[0].clusters.length, 2);
  });
});
