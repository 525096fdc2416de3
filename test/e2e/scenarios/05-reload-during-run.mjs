// Reload the window while a run is at an epoch's end, and again while one is
// mid-batch: after each reload no run is shown as running unless its engine
// process really is (the owner pid its folder records, checked in /proc).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { until } from '../harness.mjs';

/** Whether the engine process that owns a run folder is alive. */
function ownerAlive(result) {
  const pid = result?.owner?.pid ?? result?.pid;
  if (!pid) return undefined; // the folder does not say: the check cannot be made
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cli.js');
  } catch {
    return false;
  }
}

/** Tree rows against the truth; returns the mismatches (empty when consistent). */
async function mismatches(editor, log) {
  const wrong = [];
  for (const dir of editor.runFolders()) {
    const result = editor.result(dir);
    const row = editor.runsRow(path.basename(dir).slice(0, 15));
    if (!(await row.isVisible().catch(() => false))) continue;
    const icons = await editor.rowIcons(row);
    const shownRunning = icons.includes('sync');
    const alive = ownerAlive(result);
    log(`${path.basename(dir)}: status ${result?.status}, owner ${result?.owner?.pid ?? result?.pid ?? '?'} alive ${alive}; tree icons ${icons.join(',')}`);
    if (alive === undefined) wrong.push(`${path.basename(dir)}: result.json records no owner pid, so whether it runs cannot be told`);
    else if (shownRunning && !alive) wrong.push(`${path.basename(dir)} shown running, but its process is gone`);
    else if (!shownRunning && result?.status === 'running' && alive) wrong.push(`${path.basename(dir)} runs but is not shown running`);
  }
  return wrong;
}

async function checkAfterReload(editor, step, log, label) {
  await step(`after reload (${label}): nothing shown running that is not`, async () => {
    await editor.openContainer();
    await until('the runs to appear in the tree', async () => (await editor.runsRows()).some((r) => r.includes('quick-mnist ·')), { timeout: 30_000 });
    let last = [];
    await until('the tree to agree with the engine processes', async () => (last = await mismatches(editor, log)).length === 0, { timeout: 40_000, interval: 2_000 }).catch((e) => {
      throw new Error(`${e.message}: ${last.join('; ')}`);
    });
    const details = (await editor.webviewTexts()).find((t) => /running/.test(t));
    if (details) {
      const alive = editor.runFolders().some((d) => ownerAlive(editor.result(d)));
      assert.ok(alive, `Run Details shows a run as running, but no engine process is alive:\n${details}`);
    }
  });
}

export default {
  name: 'reload the window during runs',
  timeout: 300_000,
  async run({ editor, step, log }) {
    const file = path.join(editor.workspace, 'quick-mnist.trannsformer.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.training.epochs = 20;
    writeFileSync(file, JSON.stringify(config, null, 2) + '\n');

    await step('start a run; reload as its first epoch ends', async () => {
      await editor.openFile('quick-mnist.trannsformer.json');
      await editor.editorTitleAction('Run Transformation');
      const dir = await until('the run folder', () => editor.runFolders()[0], { timeout: 60_000 });
      const metrics = path.join(dir, 'metrics.jsonl');
      await until('the first epoch to end (metrics.jsonl line)', () => existsSync(metrics) && readFileSync(metrics, 'utf8').trim().length > 0, { timeout: 120_000, interval: 50 });
      log(`epoch 1 ended; reloading`);
      await editor.reload();
    });
    await checkAfterReload(editor, step, log, 'epoch end');

    await step('start another run; reload mid-batch', async () => {
      const before = new Set(editor.runFolders());
      await editor.openFile('quick-mnist.trannsformer.json');
      await editor.editorTitleAction('Run Transformation');
      await until('the second run folder', () => editor.runFolders().find((d) => !before.has(d)), { timeout: 60_000 });
      const details = await editor.waitWebview('the second run mid-epoch', [/running/, /epoch 1\/20, batch ([2-9]\d|1[0-3]\d)\/150/], 120_000);
      log(`reloading while: ${details.split('\n').find((l) => /batch/.test(l))}`);
      await editor.reload();
    });
    await checkAfterReload(editor, step, log, 'mid-batch');
  },
};
