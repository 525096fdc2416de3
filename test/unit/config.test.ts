import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatPath, validateConfig, type ConfigProblem } from '../../src/engine/config/validate';
import { loadConfigFile, resolveConfig, transformOf, withOverrides } from '../../src/engine/config/resolve';
import { UserError } from '../../src/engine/core/errors';
import { tmpDir } from '../helpers/files';

const base = () => ({ dataset: { name: 'mnist' }, network: { layers: [784, 100, 10] }, training: { epochs: 2 } });

function problemAt(problems: ConfigProblem[], p: string): ConfigProblem {
  const found = problems.find((x) => formatPath(x.path) === p);
  assert.ok(found, `expected a problem at ${p}; got ${problems.map((x) => `${formatPath(x.path)}: ${x.message}`).join(' | ')}`);
  return found;
}

describe('config validation', () => {
  test('every shipped example is valid', () => {
    const dir = path.join(__dirname, '..', '..', 'examples');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.trannsformer.json'));
    assert.ok(files.length >= 2);
    for (const f of files) {
      const { config, warnings } = loadConfigFile(path.join(dir, f));
      assert.equal(warnings.filter((w) => w.severity === 'error').length, 0, f);
      assert.ok(config.training.epochs > 0);
    }
  });

  test('defaults come from the schema', () => {
    const { config, problems } = validateConfig(base());
    assert.deepEqual(problems, []);
    assert.equal(config!.training.batchSize, 400);
    assert.equal(config!.training.learningRate, 0.5);
    assert.equal(config!.training.momentum, 0.5);
    assert.equal(config!.network.dropout, 0.5);
    assert.deepEqual(config!.network.init, { distribution: 'uniform', scale: 0.01 });
    assert.equal(config!.backend, 'auto');
    assert.equal(config!.name, 'experiment');
  });

  test('the input object is not modified', () => {
    const raw = base();
    validateConfig(raw);
    assert.deepEqual(raw, base());
  });

  test('missing section, wrong type, out-of-range values name their paths and ranges', () => {
    const { config, problems } = validateConfig({ dataset: { name: 'mnist' }, network: { layers: [784, 'x', 10], dropout: 1 }, training: { epochs: 0, momentum: -1 } });
    assert.equal(config, undefined);
    assert.match(problemAt(problems, 'network.layers[1]').message, /whole number/);
    assert.match(problemAt(problems, 'network.dropout').message, /allowed: \[0, 1\)/);
    assert.match(problemAt(problems, 'training.epochs').message, /allowed: \[1, 10000\]/);
    assert.match(problemAt(problems, 'training.momentum').message, /out of range/);
    assert.match(problemAt(validateConfig({ dataset: { name: 'mnist' }, network: { layers: [784, 10] } }).problems, 'training').message, /required/);
  });

  test('unknown property suggests the closest name', () => {
    const c = base() as Record<string, unknown>;
    (c.training as Record<string, unknown>).learningrate = 0.1;
    const p = problemAt(validateConfig(c).problems, 'training.learningrate');
    assert.match(p.message, /did you mean "learningRate"/);
  });

  test('enum lists the allowed values', () => {
    const c = base();
    c.dataset.name = 'imagenet';
    assert.match(problemAt(validateConfig(c).problems, 'dataset.name').message, /"mnist", "fashion-mnist", "cifar10"/);
  });

  test('layer sizes must match the dataset', () => {
    const c = base();
    c.network.layers = [1024, 100, 7];
    const { problems } = validateConfig(c);
    assert.match(problemAt(problems, 'network.layers[0]').message, /mnist" has 784 inputs/);
    assert.match(problemAt(problems, 'network.layers[2]').message, /10 classes/);
    const cifar = { dataset: { name: 'cifar10', path: 'x', color: 'rgb' }, network: { layers: [1024, 10] }, training: { epochs: 1 } };
    assert.match(problemAt(validateConfig(cifar).problems, 'network.layers[0]').message, /3072 inputs/);
  });

  test('loss and output activation must agree; cifar10 needs a path', () => {
    const c = { ...base(), training: { epochs: 1, loss: 'cross-entropy' } };
    assert.match(problemAt(validateConfig(c).problems, 'network.output').message, /softmax/);
    const ok = { ...base(), network: { layers: [784, 10], output: 'softmax' }, training: { epochs: 1, loss: 'cross-entropy' } };
    assert.ok(validateConfig(ok).config);
    const cifar = { dataset: { name: 'cifar10' }, network: { layers: [1024, 10] }, training: { epochs: 1 } };
    assert.match(problemAt(validateConfig(cifar).problems, 'dataset.path').message, /required for dataset "cifar10"/);
  });

  test('warnings do not block a config', () => {
    const c = { dataset: { name: 'mnist', trainLimit: 100, path: 'ignored' }, network: { layers: [784, 10] }, training: { epochs: 1 } };
    const { config, problems } = validateConfig(c);
    assert.ok(config);
    assert.equal(problemAt(problems, 'dataset.path').severity, 'warning');
    assert.equal(problemAt(problems, 'training.batchSize').severity, 'warning');
  });

  test('not an object, invalid JSON with line and column, missing file', () => {
    assert.match(validateConfig([1, 2]).problems[0].message, /JSON object/);
    const dir = tmpDir();
    const f = path.join(dir, 'bad.trannsformer.json');
    fs.writeFileSync(f, '{\n  "dataset": { "name": "mnist" },\n  "network": { "layers": [784, 10], }\n}\n');
    assert.throws(() => loadConfigFile(f), (e: unknown) => e instanceof UserError && /bad\.trannsformer\.json:3:\d+: not valid JSON/.test(e.message));
    assert.throws(() => loadConfigFile(path.join(dir, 'none.json')), /cannot read the config \(ENOENT\)/);
    fs.writeFileSync(f, JSON.stringify({ dataset: { name: 'mnist' }, network: { layers: [784, 10] }, training: { epochs: -3 } }));
    assert.throws(() => loadConfigFile(f), /invalid config:\n {2}training\.epochs: is out of range/);
  });
});

describe('resolving a config once', () => {
  const raw = { name: 'r', dataset: { name: 'synthetic' }, network: { layers: [64, 8, 4] }, training: { epochs: 10 } };

  test('overrides are applied before validation, and a bad one names who set it', () => {
    const { config, problems } = resolveConfig(raw, [{ path: ['training', 'workers'], value: 0, source: '--workers' }]);
    assert.equal(config, undefined);
    assert.match(problems.map((p) => `${formatPath(p.path)}: ${p.message}`).join('\n'), /training\.workers: is out of range.*\(set by --workers\)/);
  });

  test('epoch-dependent defaults follow the overridden epoch count; the result is frozen; the raw JSON is untouched', () => {
    const { config } = resolveConfig(raw, [{ path: ['training', 'epochs'], value: 50, source: '--epochs' }]);
    assert.ok(config);
    assert.equal(config.training.epochs, 50);
    assert.equal(config.transform.clusterStart, 10);
    assert.equal(config.transform.clusterPruneStart, 40);
    assert.deepEqual(config.transform.pruneRates, [0.5, 0.5]);
    assert.equal(transformOf(config).slowdown, 40 / 50);
    assert.throws(() => {
      (config.training as { epochs: number }).epochs = 3;
    }, TypeError);
    assert.equal(raw.training.epochs, 10);
  });

  test('withOverrides resolves the same file again with more overrides (a comparison\'s mode)', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'c.trannsformer.json');
    fs.writeFileSync(f, JSON.stringify(raw));
    const base = loadConfigFile(f, [{ path: ['training', 'epochs'], value: 20, source: '--epochs' }]);
    const pruning = withOverrides(base, [{ path: ['transform', 'mode'], value: 'pruning', source: 'compare' }]);
    assert.equal(pruning.config.transform.mode, 'pruning');
    assert.equal(pruning.config.training.epochs, 20);
    assert.equal(base.config.transform.mode, 'original');
    assert.throws(() => withOverrides(base, [{ path: ['transform', 'mode'], value: 'nope', source: 'compare' }]), /transform\.mode: must be one of .*\(set by compare\)/);
  });
});
