// Cancel a run mid-epoch from its progress notification: within seconds it
// is interrupted in the Runs tree, in Run Details and in its folder. Then
// resume it from the interruption notice's Resume: it continues from its checkpoint
// in the same folder (epochs counted on, none repeated), and is cancelled again.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { until } from '../harness.mjs';

export default {
  name: 'cancel a run mid-epoch, resume it',
  timeout: 300_000,
  async run({ editor, step, log }) {
    const file = path.join(editor.workspace, 'quick-mnist.trannsformer.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.training.epochs = 20;
    writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
    await step('start the run', async () => {
      await editor.openFile('quick-mnist.trannsformer.json');
      await editor.editorTitleAction('Run Transformation');
      await editor.openContainer();
    });
    let details;
    await step('wait until it is inside its second epoch', async () => {
      details = await editor.waitWebview('the run in its second epoch, past a few batches', [/running/, /epoch 2\/20, batch ([3-9]\d|1\d\d)\/150/], 120_000);
      log(`details before cancelling:\n${details}`);
    });
    let cancelled;
    await step('cancel from the notification', async () => {
      const toast = editor.page.locator('.notifications-toasts .notification-toast', { hasText: 'run quick-mnist.trannsformer.json' });
      await toast.hover();
      await toast.getByRole('button', { name: 'Cancel' }).click();
      cancelled = Date.now();
    });
    await step('interrupted in the tree and in Run Details', async () => {
      const row = editor.runsRow('quick-mnist ·');
      await until('the tree to show the run interrupted', async () => (await editor.rowIcons(row)).includes('debug-pause'), { timeout: 20_000 });
      const treeSeconds = (Date.now() - cancelled) / 1000;
      await row.click();
      const text = await editor.waitWebview('Run Details to show the run interrupted', [/quick-mnist/, /interrupted/], 20_000);
      const seconds = (Date.now() - cancelled) / 1000;
      log(`interrupted in the tree after ${treeSeconds.toFixed(1)} s, in Run Details after ${seconds.toFixed(1)} s\n${text}`);
      assert.ok(seconds < 20, `interrupted after ${seconds.toFixed(1)} s`);
      const [dir] = editor.runFolders();
      const result = editor.result(dir);
      assert.equal(result.status, 'interrupted');
      assert.ok(result.epochsCompleted >= 1 && result.epochsCompleted < 20, `stopped after ${result.epochsCompleted} epochs`);
      assert.deepEqual((await editor.statusBarTexts()).filter((t) => /TraNNsformer/.test(t)), [], 'no status bar item is left');
    });
    let stoppedAt;
    await step('resume from the interruption notice: the same folder continues from its checkpoint', async () => {
      const [dir] = editor.runFolders();
      const before = editor.result(dir);
      stoppedAt = before.epochsCompleted;
      assert.ok(before.checkpoint, `the interrupted run has a checkpoint: ${JSON.stringify(before.checkpoint)}`);
      // The notice's Resume runs Resume Run (as the tree's context menu does); from the notification centre if the toast is gone.
      const toast = editor.page.locator('.notifications-toasts .notification-toast', { hasText: 'was interrupted' });
      let notice = toast;
      if (!(await toast.isVisible())) {
        await editor.command('Notifications: Show Notifications');
        notice = editor.page.locator('.notifications-center .notification-list-item', { hasText: 'was interrupted' });
      }
      await notice.hover();
      await notice.getByRole('button', { name: 'Resume' }).click();
      const text = await editor.waitWebview(`the resumed run past epoch ${stoppedAt + 1}`, [/running/, new RegExp(`epoch (${stoppedAt + 2}|${stoppedAt + 3})/20`)], 120_000);
      log(`resumed:\n${text}`);
      assert.deepEqual(editor.runFolders(), [dir], 'no new run folder');
      const during = editor.result(dir);
      assert.equal(during.status, 'running');
      assert.equal(during.resumes?.length, 1, 'the folder records the resume');
      assert.equal(during.resumes[0].fromEpoch, stoppedAt);
    });
    await step('cancel the resumed run: its epochs are counted on, none repeated', async () => {
      const toast = editor.page.locator('.notifications-toasts .notification-toast', { hasText: 'resume' });
      await toast.hover();
      await toast.getByRole('button', { name: 'Cancel' }).click();
      const [dir] = editor.runFolders();
      await until('the resumed run to be interrupted again', async () => editor.result(dir).status === 'interrupted', { timeout: 30_000 });
      const epochs = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch);
      log(`epochs in metrics.jsonl: ${epochs.join(', ')}`);
      assert.deepEqual(epochs, epochs.map((_, i) => i + 1), 'epochs 1, 2, … once each');
      assert.ok(epochs.length > stoppedAt, 'the resumed run added epochs');
    });
  },
};
