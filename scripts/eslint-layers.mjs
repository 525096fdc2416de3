// A local ESLint plugin holding the layer rules of docs/architecture.md
// ("Rules the linter should hold"). Unlike `no-restricted-imports`, which
// matches the import string, this rule resolves every relative import against
// the importing file and checks where it lands, so `../engine/x`,
// `../../engine/x` and `./../engine/x` are judged alike. It sees static
// imports, re-exports, `import x = require()`, `import()`, `require()` and
// `import('…')` types. An import counts as type-only when it is
// `import type` / `export type`, or when every one of its names is marked
// `type` (TypeScript erases both; no-import-type-side-effects asks for the
// first form).
import { builtinModules } from 'node:module';
import * as path from 'node:path';

/** The repository root: this file lives in scripts/. */
export const ROOT = path.resolve(import.meta.dirname, '..');

const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (spec) => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]);
/** Packages that must never reach the extension host or the browser. */
const isHeavyPackage = (spec) =>
  /^@tensorflow\//.test(spec) || /^onnxruntime(-|$)/.test(spec) || /^onnx-proto(\/|$)/.test(spec);

// core/ holds pure, dependency-free helpers both sides share (rng, errors, binary matrices, the Pareto sort).
const ENGINE_HOST_API = ['src/engine/format', 'src/engine/events', 'src/engine/config', 'src/engine/store', 'src/engine/core'];

/**
 * The layers, first match wins. For each: the files it covers (a root-relative
 * folder or file, extension-less), where runtime imports may land, where
 * `import type` may land (runtime targets are implied), and a check of bare
 * package names that returns a reason when the package is not allowed
 * (`typeOnly` tells whether the import is erased).
 */
export const LAYERS = [
  {
    name: 'src/engine/format',
    files: 'src/engine/format',
    rule: 'engine/format holds types only and must stay browser-safe: import type, from src/engine only',
    runtime: [],
    types: ['src/engine'],
    pkg: (spec, typeOnly) =>
      spec === 'vscode' ? 'nothing in the engine knows the editor' : typeOnly ? null : 'engine/format is types only and browser-safe',
  },
  {
    name: 'src/engine',
    files: 'src/engine',
    rule: 'the engine imports nothing outside src/engine',
    runtime: ['src/engine'],
    types: [],
    pkg: (spec) => (spec === 'vscode' ? 'nothing in the engine knows the editor' : null),
  },
  {
    name: 'src/protocol',
    files: 'src/protocol',
    rule: 'src/protocol may import only types from src/engine/format',
    runtime: ['src/protocol'],
    types: ['src/engine/format'],
    pkg: browserPackages,
  },
  {
    name: 'src/runner',
    files: 'src/runner',
    rule: 'src/runner runs the engine in another process: runtime imports only from engine format/, events, config/, store/, core/',
    runtime: ['src/runner', ...ENGINE_HOST_API],
    types: ['src/engine'],
    pkg: (spec, typeOnly) =>
      spec === 'vscode' ? 'src/runner must not know the editor' : !typeOnly && isHeavyPackage(spec) ? 'training code stays in the engine process' : null,
  },
  {
    name: 'src/extension',
    files: 'src/extension',
    rule: 'src/extension may import at run time only engine format/, events, config/, store/, core/ (import type from anywhere in the engine)',
    runtime: ['src/extension', 'src/protocol', 'src/runner', 'package.json', ...ENGINE_HOST_API],
    types: ['src/engine'],
    pkg: (spec, typeOnly) => (!typeOnly && isHeavyPackage(spec) ? 'training code stays out of the extension host' : null),
  },
  {
    name: 'src/cli',
    files: 'src/cli',
    rule: 'the CLI stands on the engine (and the runner)',
    runtime: ['src/cli', 'src/engine', 'src/runner', 'package.json'],
    types: [],
    pkg: (spec) => (spec === 'vscode' ? 'the CLI runs without the editor' : null),
  },
  {
    name: 'webview',
    files: 'webview',
    rule: 'webview code may import only types from src/protocol/webview.ts and src/engine/format',
    runtime: ['webview'],
    types: ['src/protocol/webview', 'src/engine/format'],
    pkg: browserPackages,
  },
];

function browserPackages(spec, typeOnly) {
  if (spec === 'vscode') return 'browser code has no vscode module (use acquireVsCodeApi)';
  if (typeOnly) return null;
  if (isNodeBuiltin(spec)) return 'browser code has no Node built-ins';
  if (isHeavyPackage(spec)) return 'training code does not belong in browser code';
  return null;
}

const rel = (abs) => path.relative(ROOT, abs).split(path.sep).join('/');
const stripExt = (p) => p.replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
/** Does the root-relative, extension-less path `p` lie in `zone`? */
const inZone = (p, zone) => p === zone || p.startsWith(zone + '/') || (zone === 'package.json' && p === 'package');

/** The layer of a file, or undefined when no layer rule applies. */
export function layerOf(filename) {
  const p = stripExt(rel(path.resolve(filename)));
  return LAYERS.find((l) => inZone(p, l.files));
}

/**
 * Judges one import of `spec` from `filename`. Returns undefined when it is
 * allowed, else `{ messageId, data }`.
 */
export function judge(filename, spec, typeOnly) {
  const layer = layerOf(filename);
  if (!layer) return undefined;
  const local = spec.startsWith('.') || path.isAbsolute(spec);
  if (!local) {
    const why = layer.pkg(spec, typeOnly);
    return why ? { messageId: 'package', data: { layer: layer.name, spec, why } } : undefined;
  }
  const target = stripExt(rel(path.resolve(path.dirname(path.resolve(filename)), spec)));
  if (layer.runtime.some((z) => inZone(target, z))) return undefined;
  const typeZone = layer.types.some((z) => inZone(target, z));
  if (typeZone && typeOnly) return undefined;
  return {
    messageId: typeZone ? 'typeOnly' : 'outside',
    data: { layer: layer.name, spec, target, rule: layer.rule },
  };
}

const allTyped = (specifiers, key) => specifiers.length > 0 && specifiers.every((s) => s[key] === 'type');
const stringOf = (node) =>
  node?.type === 'Literal' && typeof node.value === 'string'
    ? node.value
    : node?.type === 'TemplateLiteral' && node.expressions.length === 0
      ? node.quasis[0].value.cooked
      : undefined;

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports must respect the layers of docs/architecture.md (paths resolved, not matched)' },
    schema: [],
    messages: {
      outside: "{{layer}} must not import '{{spec}}' ({{target}}): {{rule}}.",
      typeOnly: "{{layer}} may import '{{spec}}' ({{target}}) only with `import type`: {{rule}}.",
      package: "{{layer}} must not import '{{spec}}': {{why}}.",
    },
  },
  create(context) {
    const filename = context.filename;
    if (!layerOf(filename)) return {};
    const check = (node, sourceNode, typeOnly) => {
      const spec = stringOf(sourceNode);
      if (spec === undefined) return;
      const problem = judge(filename, spec, typeOnly);
      if (problem) context.report({ node, ...problem });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source, n.importKind === 'type' || allTyped(n.specifiers, 'importKind')),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source, n.exportKind === 'type' || allTyped(n.specifiers, 'exportKind')),
      ExportAllDeclaration: (n) => check(n, n.source, n.exportKind === 'type'),
      TSImportEqualsDeclaration: (n) =>
        n.moduleReference.type === 'TSExternalModuleReference' && check(n, n.moduleReference.expression, n.importKind === 'type'),
      ImportExpression: (n) => check(n, n.source, false),
      TSImportType: (n) => check(n, n.source ?? n.argument?.literal, true),
      CallExpression: (n) =>
        n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments.length === 1 && check(n, n.arguments[0], false),
    };
  },
};

export default { meta: { name: 'layers' }, rules: { imports: layersRule } };
