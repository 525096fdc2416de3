/**
 * `--out` and the folders evaluate/report write into are checked before any
 * work: empty, a file, a folder inside a file, a device, /proc and /sys
 * (where Node's recursive mkdir spins at 100% CPU), an unwritable folder.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { checkOutRoot, checkWritableFolder, ensureOutRoot } from '../../src/engine/store/outRoot';
import { UserError } from '../../src/engine/core/errors';
import { tmpDir } from '../helpers/files';

function refused(fn: () => unknown, what: RegExp, where = '--out'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.equal(e.where, where);
    assert.match(e.message, what);
    return true;
  });
}

test('a writable folder, existing or not, is accepted and nothing is created', () => {
  const dir = tmpDir();
  assert.equal(checkOutRoot(dir), dir);
  const deep = path.join(dir, 'a', 'b', 'c');
  assert.equal(checkOutRoot(deep), deep);
  assert.equal(fs.existsSync(path.join(dir, 'a')), false, 'not created by the check');
  assert.deepEqual(fs.readdirSync(dir), [], 'the write probe is removed');
  assert.equal(checkOutRoot('relative/runs'), path.resolve('relative/runs'));
});

test('empty, a file, a folder under a file, a device: refused with the path', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, 'x');
  refused(() => checkOutRoot(''), /--out: is empty/);
  refused(() => checkOutRoot('   '), /is empty/);
  refused(() => checkOutRoot(file), new RegExp(`${file} is a file, not a folder`));
  refused(() => checkOutRoot(path.join(file, 'runs')), new RegExp(`${file}/runs cannot be created: ${file} is a file, not a folder`));
  refused(() => checkOutRoot('/dev/null'), /\/dev\/null is a character device, not a folder/);
  const fifo = path.join(dir, 'fifo');
  if (spawnSync('mkfifo', [fifo]).status === 0) refused(() => checkOutRoot(fifo), /is a FIFO \(named pipe\), not a folder/);
});

test('/proc and /sys are refused at once, also through a symbolic link', () => {
  const t0 = performance.now();
  refused(() => checkOutRoot('/proc/trannsformer-runs'), /\/proc\/trannsformer-runs is under \/proc, a kernel pseudo-filesystem/);
  refused(() => checkOutRoot('/proc'), /under \/proc/);
  refused(() => checkOutRoot('/sys/x/y'), /under \/sys/);
  const dir = tmpDir();
  fs.symlinkSync('/proc/self', path.join(dir, 'link'));
  refused(() => checkOutRoot(path.join(dir, 'link', 'runs')), /under \/proc/);
  assert.ok(performance.now() - t0 < 1000);
});

test('an unwritable folder is refused (checked as an unprivileged user: permissions do not stop root)', () => {
  const dir = tmpDir();
  fs.chmodSync(dir, 0o755);
  const ro = path.join(dir, 'ro');
  fs.mkdirSync(ro);
  fs.chmodSync(ro, 0o555);
  const script = path.join(dir, 'check.ts');
  const src = JSON.stringify(path.join(__dirname, '..', '..', 'src', 'engine', 'store', 'outRoot'));
  fs.writeFileSync(script, `import { checkOutRoot } from ${src};\nfor (const p of process.argv.slice(2)) { try { checkOutRoot(p); console.log('accepted'); } catch (e) { console.log((e as Error).message); } }\n`);
  const asRoot = process.getuid?.() === 0;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ro, path.join(ro, 'sub')], {
    encoding: 'utf8',
    cwd: path.join(__dirname, '..', '..'),
    timeout: 30_000,
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  assert.equal(r.status, 0, r.stderr);
  const [own, sub] = r.stdout.trim().split('\n');
  assert.equal(own, `--out: ${ro} is not writable (EACCES)`);
  assert.equal(sub, `--out: ${path.join(ro, 'sub')} cannot be created: ${ro} is not writable (EACCES)`);
});

test('evaluate and report folders: must exist, be a folder, be writable', () => {
  const dir = tmpDir();
  assert.equal(checkWritableFolder(dir, dir), dir);
  refused(() => checkWritableFolder(path.join(dir, 'none'), 'x'), /folder not found/, 'x');
  fs.writeFileSync(path.join(dir, 'f'), '');
  refused(() => checkWritableFolder(path.join(dir, 'f'), 'x'), /is a file, not a folder/, 'x');
  refused(() => checkWritableFolder('/proc/self', 'x'), /under \/proc/, 'x');
});

test('ensureOutRoot creates the missing folders one by one, and refuses /proc at once (where recursive mkdir spins)', () => {
  const dir = tmpDir();
  const deep = path.join(dir, 'a', 'b', 'c');
  assert.equal(ensureOutRoot(deep), deep);
  assert.ok(fs.statSync(deep).isDirectory());
  assert.equal(ensureOutRoot(deep), deep, 'existing: fine');
  const t0 = performance.now();
  refused(() => ensureOutRoot('/proc/trannsformer-out/runs'), /under \/proc/);
  assert.ok(performance.now() - t0 < 1000);
});
