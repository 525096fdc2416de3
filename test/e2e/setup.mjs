// Installs what the browser e2e suite needs, outside the project's
// dependencies: code-server (the real VS Code workbench, served on loopback)
// into a cache folder, reused when it is already there and runs. Debian's
// chromium and ripgrep must be installed (CI: .ci/run installs them).
//
//   node test/e2e/setup.mjs        prints the code-server binary's path
//
// Nothing is downloaded but npm packages: code-server's @vscode/ripgrep
// would fetch a ripgrep release from GitHub, so it is handed Debian's `rg`
// in the tarball it looks for first; native modules compile against the
// running Node's own headers (nodedir) instead of downloading them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3'; // VS Code 1.100.3, the last on Node 20
const RIPGREP_PACKAGE = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
// Modules of code-server's VS Code whose install scripts must run on Linux (npm
// 11 blocks dependency install scripts unless allowed). Windows-only modules
// are left out: their scripts have nothing to do here.
const NATIVE_MODULES = ['@parcel/watcher', '@vscode/deviceid', '@vscode/ripgrep', '@vscode/spdlog', 'kerberos', 'native-watchdog', 'node-pty'];

export function cacheDir() {
  const base = process.env.TRANNSFORMER_E2E_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'trannsformer-e2e');
  return path.join(base, `code-server-${CODE_SERVER_VERSION}`);
}

export function codeServerBin() {
  return path.join(cacheDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** The installed code-server's version line, or undefined when it does not run. */
function installedVersion() {
  const bin = codeServerBin();
  if (!existsSync(bin) || !existsSync(path.join(cacheDir(), '.complete'))) return undefined;
  const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function chromiumPath() {
  return process.env.TRANNSFORMER_E2E_CHROMIUM || '/usr/bin/chromium';
}

export function checkPrerequisites() {
  const missing = [];
  if (!existsSync(chromiumPath())) missing.push(`chromium (${chromiumPath()}; set TRANNSFORMER_E2E_CHROMIUM for another path)`);
  if (!which('rg')) missing.push('ripgrep (rg)');
  if (Number(process.versions.node.split('.')[0]) !== 20) missing.push(`Node 20 (code-server ${CODE_SERVER_VERSION} requires it; this is ${process.version})`);
  if (missing.length) {
    throw new Error(`e2e prerequisites missing: ${missing.join(', ')}. On Debian: apt-get install chromium ripgrep libkrb5-dev libxkbfile-dev libsecret-1-dev build-essential python3`);
  }
}

/** Puts Debian's rg where @vscode/ripgrep's postinstall looks before downloading. */
function seedRipgrep() {
  const dir = path.join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE}`);
  const tarball = path.join(dir, RIPGREP_ASSET);
  if (existsSync(tarball)) return;
  mkdirSync(dir, { recursive: true });
  const stage = mkdtempSync(path.join(tmpdir(), 'rg-stage-'));
  copyFileSync(which('rg'), path.join(stage, 'rg'));
  chmodSync(path.join(stage, 'rg'), 0o755);
  execFileSync('tar', ['czf', tarball, '-C', stage, 'rg']);
  rmSync(stage, { recursive: true, force: true });
}

function nodeDir() {
  // Debian/NodeSource Node keeps its headers in /usr/include/node; a tarball
  // install beside its binary. node-gyp wants the folder above include/node.
  for (const d of [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local']) {
    if (existsSync(path.join(d, 'include', 'node', 'common.gypi'))) return d;
  }
  return undefined;
}

export function ensureCodeServer({ quiet = false } = {}) {
  checkPrerequisites();
  const have = installedVersion();
  if (have) {
    if (!quiet) console.log(`code-server ${have.split(/\s+/)[0]} cached in ${cacheDir()}`);
    return codeServerBin();
  }
  const dir = cacheDir();
  console.log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (compiles native modules; a few minutes)…`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // npm 11 runs a dependency's install scripts only when a project's
  // package.json (allowScripts) approves them, and refuses approvals passed
  // by flag or environment in such installs — which is what npm hands to
  // nested installs through the environment of a lifecycle script. So
  // code-server's postinstall (two nested `npm install`s, in lib/vscode and
  // lib/vscode/extensions) is run here, after approving the native modules in
  // those package.json files.
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'trannsformer-e2e-code-server', private: true, allowScripts: { argon2: true } }, null, 2) + '\n');
  seedRipgrep();
  const env = { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const nd = nodeDir();
  if (nd) env.npm_config_nodedir = nd;
  const started = Date.now();
  const npm = (args, cwd) => {
    const r = spawnSync('npm', args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 30 * 60_000 });
    if (r.status !== 0) throw new Error(`npm ${args.join(' ')} in ${cwd} failed (exit ${r.status ?? r.signal})`);
  };
  npm(['install', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], dir);
  const pkg = path.join(dir, 'node_modules', 'code-server');
  for (const sub of ['lib/vscode', 'lib/vscode/extensions']) {
    const file = path.join(pkg, sub, 'package.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.allowScripts = Object.fromEntries(NATIVE_MODULES.map((m) => [m, true]));
    writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  }
  const r = spawnSync('sh', ['postinstall.sh'], {
    cwd: pkg,
    env: { ...env, npm_config_user_agent: `npm/${execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim()} node/${process.version} linux x64` },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 30 * 60_000,
  });
  if (r.status !== 0) throw new Error(`code-server's postinstall in ${pkg} failed (exit ${r.status ?? r.signal})`);
  const vscodeModules = path.join(pkg, 'lib', 'vscode', 'node_modules');
  const lacking = ['node-pty/build/Release/pty.node', '@vscode/spdlog/build/Release/spdlog.node', '@vscode/ripgrep/bin/rg'].filter((f) => !existsSync(path.join(vscodeModules, f)));
  if (lacking.length) throw new Error(`code-server's native modules were not built: ${lacking.join(', ')} missing under ${vscodeModules}`);
  writeFileSync(path.join(dir, '.complete'), `${CODE_SERVER_VERSION}\n`);
  const v = installedVersion();
  if (!v) throw new Error(`code-server was installed in ${dir} but \`code-server --version\` does not run; see the npm output above`);
  console.log(`code-server ${v.split(/\s+/)[0]} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return codeServerBin();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureCodeServer());
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
