/**
 * Safe outputs (issue 14): preset errors that do not echo the file, tree
 * tooltips whose values cannot make Markdown, a comparison whose record
 * cannot lead `evaluate` outside it, deleting live work refused, a failure
 * outside every handler still reported as one protocol event, and webview
 * messages that are checked, logged and dropped — never thrown.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadPreset, MAX_PRESET_BYTES } from '../../src/engine/hardware/presets';
import { escapeMarkdown, liveWork, runTooltip } from '../../src/extension/runsModel';
import { memberRunDir } from '../../src/engine/store/compareRuns';
import { evaluateCompare } from '../../src/engine/experiment/compare';
import { readRun } from '../../src/engine/store/runFolder';
import { checkDetailsMessage, checkMappingMessage, checkParetoMessage, dispatchMessage } from '../../src/extension/panels/messages';
import { failureLine } from '../../src/extension/runSession';
import { fatalMessage, fatalOutput } from '../../src/engine/fatal';
import { parseEventLine } from '../../src/engine/events';
import { UserError } from '../../src/engine/core/errors';
import { tmpDir } from '../helpers/files';
import { deadPid } from '../helpers/processes';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'report-compare');
const RUNS = ['20261127-162125-original', '20261127-162125-pruning', '20261127-162125-trannsformer'];

function copyFixture(): string {
  const dir = path.join(tmpDir(), 'x-compare');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

const editJson = (file: string, f: (v: Record<string, unknown>) => void) => {
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  f(v);
  fs.writeFileSync(file, JSON.stringify(v));
};


describe('preset errors name the file and the problem, never its bytes', () => {
  const SECRET = 'AKIAIOSFODNN7EXAMPLE-hunter2';
  test('a file that is not JSON (a secret, a typo)', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'credentials.json');
    fs.writeFileSync(f, `aws_secret_access_key=${SECRET}\n`);
    assert.throws(
      () => loadPreset(f),
      (e: unknown) => e instanceof UserError && e.where === f && /is not valid JSON \(line 1, column 1: InvalidSymbol\)/.test(e.message) && !e.message.includes('aws_') && !e.message.includes('hunter'),
    );
    fs.writeFileSync(f, `{\n  "maxCrossbar": 64,\n  "token": "${SECRET}",,\n}`);
    assert.throws(() => loadPreset(f), (e: unknown) => e instanceof UserError && /line 3, column/.test(e.message) && !e.message.includes(SECRET));
  });

  test('valid JSON that is not a preset: keys and values from it are not printed at length', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'p.json');
    fs.writeFileSync(f, JSON.stringify({ maxCrossbar: 64, fields: { [`${SECRET}${'x'.repeat(200)}`]: { value: 1, source: 's' } } }));
    assert.throws(() => loadPreset(f), (e: unknown) => e instanceof UserError && /unknown field/.test(e.message) && !e.message.includes('x'.repeat(50)));
    fs.writeFileSync(f, JSON.stringify([SECRET]));
    assert.throws(() => loadPreset(f), (e: unknown) => e instanceof UserError && /must be a JSON object/.test(e.message) && !e.message.includes(SECRET));
  });

  test('folders, devices and huge files are refused without reading them', () => {
    const dir = tmpDir();
    assert.throws(() => loadPreset(dir + '/'), /is not a preset file \(a folder\)/);
    if (fs.existsSync('/dev/zero')) assert.throws(() => loadPreset('/dev/zero'), /is not a preset file \(not a regular file\)/);
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, Buffer.alloc(MAX_PRESET_BYTES + 1, 0x20));
    assert.throws(() => loadPreset(big), /is not a preset file \(\d+ bytes; presets are at most/);
  });
});

describe('Runs tree tooltips', () => {
  test('values from run files cannot make links, images, HTML or emphasis', () => {
    const dir = copyFixture();
    const run = path.join(dir, RUNS[2]);
    const evil = '**x** [click](command:workbench.action.terminal.new) ![i](https://e.x/i.png) <img src=x onerror=alert(1)> $(alert) _y_ `z`\n# heading';
    editJson(path.join(run, 'result.json'), (r) => {
      r.name = evil;
      r.error = { message: evil };
    });
    editJson(path.join(run, 'config.json'), (c) => {
      (c.transform as Record<string, unknown>).mode = evil;
    });
    const md = runTooltip(readRun(run), false);
    // Only the tooltip's own bold markers are unescaped Markdown.
    const unescaped = md.replace(/\\[!-/:-@[-`{-~]/g, '');
    assert.deepEqual(unescaped.match(/[[\]()<>!`*_#$]/g), ['*', '*', '*', '*'], md);
    assert.ok(md.startsWith('**'));
    assert.ok(!md.includes('\n#'), 'no line starts a heading');
    assert.equal(escapeMarkdown('a<b>[c](d)'), 'a\\<b\\>\\[c\\]\\(d\\)');
    assert.ok(escapeMarkdown('x'.repeat(5000)).length < 2100, 'long values are cut');
  });
});

describe('a comparison record cannot lead evaluate outside the comparison folder', () => {
  test('absolute, relative and symlinked paths out of the folder are refused before anything is evaluated', async () => {
    const dir = copyFixture();
    const outside = path.join(path.dirname(dir), 'victim');
    fs.cpSync(path.join(dir, RUNS[1]), outside, { recursive: true });
    const before = fs.readFileSync(path.join(outside, 'evaluation.json'), 'utf8');
    const rows = (runDir: string) =>
      editJson(path.join(dir, 'compare.json'), (c) => {
        (c.rows as { runDir: string }[])[1].runDir = runDir;
      });
    for (const p of [outside, path.join(dir, '..', 'victim'), '../victim']) {
      rows(p);
      await assert.rejects(() => evaluateCompare(dir, {}), /compare\.json: rows\[1\]\.runDir: .*is outside the comparison folder/, p);
    }
    fs.symlinkSync(outside, path.join(dir, 'escape'));
    rows(path.join(dir, 'escape'));
    await assert.rejects(() => evaluateCompare(dir, {}), /is outside the comparison folder .*leads to/);
    // Nothing outside was written.
    assert.equal(fs.readFileSync(path.join(outside, 'evaluation.json'), 'utf8'), before);
    rows(42 as unknown as string);
    await assert.rejects(() => evaluateCompare(dir, {}), /rows\[1\]\.runDir: must be the path of a run folder \(got "42"\)/);
  });

  test('a moved comparison finds its runs by name inside it', () => {
    const dir = copyFixture();
    assert.equal(memberRunDir(dir, 'compare.json', 0, `/gone/elsewhere/${RUNS[0]}`), fs.realpathSync(path.join(dir, RUNS[0])));
    assert.equal(memberRunDir(dir, 'compare.json', 0, RUNS[0]), fs.realpathSync(path.join(dir, RUNS[0])), 'a relative path is taken inside the folder');
    assert.throws(() => memberRunDir(dir, 'compare.json', 0, '/gone/elsewhere/nothing-here'), /is not a run folder inside/);
    assert.throws(() => memberRunDir(dir, 'compare.json', 0, dir), /is outside the comparison folder|is not a run folder inside/, 'the folder itself is not one of its runs');
  });
});

describe('deleting live work is refused', () => {
  const setRunning = (run: string, pid: number) =>
    editJson(path.join(run, 'result.json'), (r) => {
      r.status = 'running';
      r.pid = pid;
      r.owner = { pid, hostname: require('node:os').hostname() };
    });

  test('a comparison with a run whose owner process lives (another window, a terminal), and its run', () => {
    const dir = copyFixture();
    assert.equal(liveWork(dir), undefined, 'a finished comparison can be deleted');
    setRunning(path.join(dir, RUNS[1]), process.pid);
    assert.match(liveWork(dir) ?? '', new RegExp(`its run ${RUNS[1]} is still running \\(process ${process.pid}\\)`));
    assert.match(liveWork(path.join(dir, RUNS[1])) ?? '', /it is still running/);
    // The owner died: the folder is stale, deleting is allowed.
    setRunning(path.join(dir, RUNS[1]), deadPid());
    assert.equal(liveWork(dir), undefined);
    // This window's own session counts even before the folder says so.
    assert.match(liveWork(dir, (d) => d === path.join(dir, RUNS[2])) ?? '', /its run .*trannsformer is still running/);
  });

  test('a sweep whose driving process lives', () => {
    const dir = copyFixture();
    fs.writeFileSync(
      path.join(dir, 'sweep.json'),
      JSON.stringify({ format: 'trannsformer-sweep', formatVersion: 1, name: 's', kind: 'sweep', status: 'running', owner: { pid: process.pid, hostname: require('node:os').hostname() }, points: [], jobs: [] }),
    );
    assert.match(liveWork(dir) ?? '', /the sweep is still running \(process \d+\)/);
  });
});

describe('a failure outside every handler', () => {
  test('the message is the error, not a stack frame; --json gets one error event; exit status 1', () => {
    const e = new Error('ENOSPC: no space left on device, write\n    at writeSync (node:fs:1:1)');
    assert.equal(fatalMessage(e), 'ENOSPC: no space left on device, write');
    const out = fatalOutput(e, 'uncaughtException', true);
    assert.equal(out.exitCode, 1);
    const ev = parseEventLine(out.stdout!);
    assert.deepEqual(ev, { type: 'error', message: 'internal error: ENOSPC: no space left on device, write' });
    assert.match(out.stderr, /at writeSync/, 'the stack goes to stderr for the log');
    assert.equal(fatalOutput(e, 'unhandledRejection', false).stdout, undefined);
    assert.equal(fatalOutput(new UserError('--x', 'bad'), 'main', true).exitCode, 2);
    assert.equal(fatalMessage(Symbol('s')), 'a non-error value was thrown (symbol)');
    assert.equal(fatalMessage('x'.repeat(1000)).length, 500);
  });

  for (const kind of ['a thrown exception in a timer', 'a rejected promise nobody awaits']) {
    test(`a real process: ${kind} → one error event, exit 1`, () => {
      const planted = kind.startsWith('a thrown') ? `setTimeout(() => { throw new TypeError("cannot read the run folder\\n second line"); }, 10);` : `Promise.reject(new TypeError("cannot read the run folder"));`;
      const script = `require(${JSON.stringify(path.join(ROOT, 'src', 'cli.ts'))}).installFatalHandlers(true); ${planted} setTimeout(() => {}, 5000);`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 1, r.stderr);
      const events = r.stdout.split('\n').map(parseEventLine).filter((x) => x !== undefined);
      assert.deepEqual(events, [{ type: 'error', message: 'internal error: cannot read the run folder' }]);
      assert.match(r.stderr, /TypeError: cannot read the run folder/);
    });
  }

  test('without an error event the session shows the error line of stderr, not the last stack frame', () => {
    const nodeCrash = ['/x/dist/cli.js:12', '    throw new Error("boom");', '    ^', '', 'Error: boom', '    at Timeout._onTimeout (/x/dist/cli.js:12:11)', '    at listOnTimeout (node:internal/timers:573:17)', '', 'Node.js v20.20.2'];
    assert.equal(failureLine(nodeCrash), 'Error: boom');
    assert.equal(failureLine(['internal error (main): RangeError: Invalid array length', '    at new Float32Array (<anonymous>)', '    at f (/x/a.js:1:1)']), 'internal error (main): RangeError: Invalid array length');
    const oom = ['<--- Last few GCs --->', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', '----- Native stack trace -----', '', ' 1: 0xb8d0a3 node::Abort() [node]', ' 2: 0xa9a7f8  [node]'];
    assert.equal(failureLine(oom), 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
    assert.equal(failureLine(['    at f (/x/a.js:1:1)']), undefined);
    assert.equal(failureLine([]), undefined);
  });
});

describe('webview messages are checked, logged and dropped', () => {
  const bad: [string, unknown][] = [
    ['null', null],
    ['a string', 'openReport'],
    ['an array', [{ type: 'ready' }]],
    ['no type', { dir: '/x' }],
    ['a numeric type', { type: 7 }],
    ['an unknown type', { type: 'deleteEverything', dir: '/x' }],
    ['a missing dir', { type: 'openReport' }],
    ['a dir that is not a string', { type: 'reveal', dir: { toString: 1 } }],
    ['an empty dir', { type: 'openMapping', dir: '' }],
    ['a huge dir', { type: 'openCurves', dir: '/'.padEnd(5_000_000, 'a') }],
    ['a huge type', { type: 'x'.repeat(5_000_000) }],
  ];

  for (const [what, m] of bad)
    test(`Run details: ${what}`, () => {
      const warned: string[] = [];
      const handled: unknown[] = [];
      assert.doesNotThrow(() => dispatchMessage('Run details', m, checkDetailsMessage, (x) => handled.push(x), (l) => warned.push(l)));
      assert.deepEqual(handled, []);
      assert.equal(warned.length, 1);
      assert.match(warned[0], /^Run details: dropped a message from the webview: /);
      assert.ok(warned[0].length < 300, `the log line is short (${warned[0].length} characters)`);
    });

  test('well-formed messages pass, with only the fields the protocol has', () => {
    const handled: unknown[] = [];
    dispatchMessage('Run details', { type: 'openReport', dir: '/r/a', extra: 'x'.repeat(100) }, checkDetailsMessage, (x) => handled.push(x), () => assert.fail('not dropped'));
    dispatchMessage('Run details', { type: 'ready' }, checkDetailsMessage, (x) => handled.push(x), () => assert.fail('not dropped'));
    assert.deepEqual(handled, [{ type: 'openReport', dir: '/r/a' }, { type: 'ready' }]);
  });

  test('a handler that throws, and a check that throws, are logged, not thrown', () => {
    const warned: string[] = [];
    dispatchMessage('mapping', { type: 'ready' }, checkMappingMessage, () => {
      throw new Error('panel gone');
    }, (l) => warned.push(l));
    dispatchMessage('pareto', { type: 'ready' }, () => {
      throw new Error('bug in a check');
    }, () => assert.fail('not handled'), (l) => warned.push(l));
    assert.deepEqual(warned, ['mapping: handling "ready" failed: panel gone', 'pareto: dropped a message from the webview: the message could not be checked (bug in a check)']);
  });

  test('panel checks bound what they log of a huge type', () => {
    const c = checkParetoMessage({ type: 'y'.repeat(1_000_000) });
    assert.equal(c.ok, false);
    assert.ok(!c.ok && c.reason.length < 200, 'reason is short');
  });
});
