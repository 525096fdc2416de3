/**
 * Extension tests inside a real VS Code (run by test/e2e/run.mjs through
 * @vscode/test-electron, where VS Code can be downloaded). A minimal runner:
 * each test is an async function; the first failure fails the run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSession } from '../../../src/extension/runSession';

const tests: [string, () => Promise<void>][] = [];
const test = (name: string, fn: () => Promise<void>) => tests.push([name, fn]);

function writeConfig(name: string, epochs: number, trainSize: number): vscode.Uri {
  const dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const file = path.join(dir, `${name}.trannsformer.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({
      name,
      dataset: { name: 'synthetic', synthetic: { inputSize: 48, classes: 5, trainSize, testSize: 200 } },
      network: { layers: [48, 40, 5] },
      training: { epochs, batchSize: 50, learningRate: 0.1 },
      transform: { mode: 'pruning', crossbar: 16 },
      hardware: { snnImages: 100, timesteps: 20 },
      backend: 'wasm',
    }),
  );
  return vscode.Uri.file(file);
}

test('activates on a workspace with *.trannsformer.json files and registers its commands', async () => {
  const ext = vscode.extensions.getExtension('trannsformer-studio.trannsformer-studio');
  assert.ok(ext, 'extension present');
  await ext.activate();
  const commands = await vscode.commands.getCommands(true);
  for (const c of ['newConfig', 'run', 'compare', 'cancelRun', 'openReport', 'revealRun', 'deleteRun', 'refreshRuns'])
    assert.ok(commands.includes(`trannsformer.${c}`), `trannsformer.${c}`);
});

test('runs a config in the background; progress arrives; the run folder is written', async () => {
  const session = (await vscode.commands.executeCommand('trannsformer.run', writeConfig('e2e-run', 2, 1000))) as RunSession;
  assert.ok(session, 'a session was started');
  let progress = 0;
  session.on('event', (e: { type: string }) => e.type === 'progress' && progress++);
  const exit = await session.done;
  assert.equal(exit.state, 'completed', exit.error);
  assert.ok(progress > 0, 'progress events arrived');
  const result = JSON.parse(fs.readFileSync(path.join(session.runDirs[0], 'result.json'), 'utf8'));
  assert.equal(result.status, 'completed');
  assert.ok(result.mapping.mpes > 0);
});

test('cancel stops a run and leaves it interrupted', async () => {
  const session = (await vscode.commands.executeCommand('trannsformer.run', writeConfig('e2e-cancel', 500, 20000))) as RunSession;
  await new Promise<void>((resolve) => session.on('event', (e: { type: string }) => e.type === 'epoch' && resolve()));
  await vscode.commands.executeCommand('trannsformer.cancelRun');
  const exit = await session.done;
  assert.equal(exit.state, 'interrupted');
  assert.equal(JSON.parse(fs.readFileSync(path.join(session.runDirs[0], 'result.json'), 'utf8')).status, 'interrupted');
});

test('opens the report of a finished run beside the editor', async () => {
  const root = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.trannsformer', 'runs');
  const dir = fs.readdirSync(root).map((n) => path.join(root, n)).find((d) => d.endsWith('e2e-run'));
  assert.ok(dir);
  await vscode.commands.executeCommand('trannsformer.openReport', vscode.Uri.file(dir));
  assert.ok(fs.existsSync(path.join(dir, 'report.html')));
});

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const [name, fn] of tests) {
    try {
      await fn();
      console.log(`ok - ${name}`);
    } catch (e) {
      failures.push(name);
      console.log(`not ok - ${name}\n${(e as Error).stack ?? e}`);
    }
  }
  console.log(`${tests.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length) throw new Error(`${failures.length} extension test(s) failed: ${failures.join('; ')}`);
}
