/**
 * Safe outputs through the built CLI (dist/cli.js) and the extension's run
 * session: a failure outside every handler reaches the user as its message,
 * and `evaluate`/`report` refuse a comparison record that leads outside its
 * folder. `npm test` builds dist first.
 */
import { describe, test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { RunSession } from '../../src/extension/runSession';
import { parseEventLine } from '../../src/engine/events';
import { tmpDir } from '../helpers/files';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'report-compare');

before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run "npm run build" (npm test does)'));

/** A process that loads the bundled CLI's fatal handlers (as the CLI does when run), then fails asynchronously. */
function failingEngine(dir: string, handlers: boolean): string {
  const f = path.join(dir, `failing-${handlers}.js`);
  fs.writeFileSync(
    f,
    `${handlers ? `require(${JSON.stringify(CLI)}).installFatalHandlers(process.argv.includes('--json'));` : ''}
setTimeout(() => { const n = 2 ** 32; new Float32Array(n * 4); }, 20);
setInterval(() => {}, 1000);\n`,
  );
  return f;
}

describe('a failure outside every handler, as the extension sees it', () => {
  test('the session shows the error event’s message, not a stack frame', async () => {
    const dir = tmpDir();
    const s = new RunSession({ kind: 'run', configFile: path.join(dir, 'x.trannsformer.json'), outRoot: dir, cliPath: failingEngine(dir, true), cwd: dir });
    const exit = await s.start().done;
    assert.equal(exit.state, 'failed');
    assert.equal(exit.code, 1);
    assert.match(exit.error ?? '', /^internal error: Invalid typed array length: \d+$/);
  });

  test('a process that dies without the handlers: the error line of its stderr, not its last line', async () => {
    const dir = tmpDir();
    const s = new RunSession({ kind: 'run', configFile: path.join(dir, 'x.trannsformer.json'), outRoot: dir, cliPath: failingEngine(dir, false), cwd: dir });
    const exit = await s.start().done;
    assert.equal(exit.state, 'failed');
    assert.match(exit.error ?? '', /^the engine exited with code 1: RangeError: Invalid typed array length: \d+$/);
  });
});

describe('a comparison record naming folders outside the comparison', () => {
  test('evaluate --json and report refuse it with one error event or message, and write nothing outside', () => {
    const dir = path.join(tmpDir(), 'x-compare');
    fs.cpSync(FIXTURE, dir, { recursive: true });
    const victim = path.join(path.dirname(dir), 'victim');
    fs.cpSync(path.join(dir, '20261127-162125-pruning'), victim, { recursive: true });
    const file = path.join(dir, 'compare.json');
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: { runDir: string }[] };
    c.rows[1].runDir = victim;
    fs.writeFileSync(file, JSON.stringify(c));
    const before = fs.readdirSync(victim).sort();
    const e = spawnSync(process.execPath, [CLI, 'evaluate', dir, '--json', '--images', '10', '--backend', 'wasm'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(e.status, 2, e.stderr);
    const events = e.stdout.split('\n').map(parseEventLine).filter((x) => x !== undefined);
    assert.equal(events.length, 1, e.stdout);
    assert.equal(events[0].type, 'error');
    assert.match((events[0] as { message: string }).message, /rows\[1\]\.runDir: .*victim.* is outside the comparison folder/);
    const r = spawnSync(process.execPath, [CLI, 'report', dir], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: .*is outside the comparison folder/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(fs.readdirSync(victim).sort(), before, 'nothing written outside');
  });
});
