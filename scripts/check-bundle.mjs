// Checks, after `npm run build`, that the extension bundle (dist/extension.js,
// loaded into the editor's own process) holds no training code: no
// TensorFlow, no onnxruntime, and no engine module outside the parts the
// extension may run (format/, events, config/, store/, core/). esbuild writes
// a `// src/…` comment before each bundled module, so the modules are read
// from those; package names and the model class are searched as text too, in
// case a module comment is ever lost (e.g. minified builds).
//
//   node scripts/check-bundle.mjs [bundle…]   exit 1 and name what was found
//   (default: dist/extension.js and dist/mappingWorker.js, its worker thread)
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Engine folders (or files) whose code may run in the extension host. */
const ENGINE_ALLOWED = ['format', 'events.ts', 'config', 'store', 'core'];
/**
 * Single engine modules config/ stands on: the preset reader and the cost
 * formulas (pure, no training code), for the editor's checks of the crossbar
 * against the preset and its area/energy hovers (config/estimate.ts).
 */
const ENGINE_ALLOWED_FILES = ['hardware/presets.ts', 'hardware/cost.ts'];

/** Text that only training code brings in. */
const MARKERS = [
  { re: /@tensorflow\//, what: 'TensorFlow.js (@tensorflow/…)' },
  { re: /\btfjs\b|tfjs-(core|node|backend)/, what: 'TensorFlow.js (tfjs)' },
  { re: /onnxruntime/, what: 'onnxruntime' },
  { re: /onnx-proto/, what: 'onnx-proto' },
  { re: /\bMaskedMLP\b/, what: "the engine's model class MaskedMLP" },
];

/**
 * What in `code` (a bundle's text) must not be there: one line per finding,
 * with the first line number it occurs on. Empty when the bundle is clean.
 */
export function findForbidden(code) {
  const found = [];
  const lines = code.split('\n');
  const firstLine = (re) => lines.findIndex((l) => re.test(l)) + 1;
  const modules = new Set();
  for (const [i, line] of lines.entries()) {
    const m = /^\/\/ ((?:src\/engine|node_modules)\/\S+)$/.exec(line);
    if (!m) continue;
    const mod = m[1];
    const engine = /^src\/engine\/([^/]+)/.exec(mod);
    const bad = engine
      ? !ENGINE_ALLOWED.includes(engine[1]) && !ENGINE_ALLOWED_FILES.includes(mod.slice('src/engine/'.length))
      : /^node_modules\/(@tensorflow\/|onnxruntime|onnx-proto|protobufjs)/.test(mod);
    if (bad && !modules.has(mod)) {
      modules.add(mod);
      found.push(`module ${mod} (line ${i + 1})`);
    }
  }
  for (const { re, what } of MARKERS) {
    const line = firstLine(re);
    if (line > 0) found.push(`${what} (line ${line}: ${lines[line - 1].trim().slice(0, 100)})`);
  }
  return found;
}

/** Bundles that run in the extension host's process: the extension and the mapping panel's worker thread. */
const HOST_BUNDLES = ['dist/extension.js', 'dist/mappingWorker.js'];

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const file of process.argv.length > 2 ? process.argv.slice(2) : HOST_BUNDLES) checkFile(file);
}

function checkFile(file) {
  let code;
  try {
    code = readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`check-bundle: cannot read ${file} (${e.message}); run \`npm run build\` first.`);
    process.exit(1);
  }
  const found = findForbidden(code);
  if (found.length > 0) {
    console.error(
      `check-bundle: ${file} contains code that must stay out of the extension host:\n` +
        found.map((f) => `  - ${f}`).join('\n') +
        '\nThe extension may import at run time only engine format/, events, config/, store/ (see eslint.config.mjs); use `import type` for the rest.',
    );
    process.exit(1);
  }
  console.log(`check-bundle: ${file} holds no TensorFlow, onnxruntime or engine training code.`);
}
