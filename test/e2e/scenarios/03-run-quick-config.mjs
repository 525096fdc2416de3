// Run the quick config (2 epochs) from the editor title: a progress
// notification, the status bar, the run live in the Runs tree and in Run
// Details, then completed with accuracy, mPEs, area and energy shown.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { until } from '../harness.mjs';

export default {
  name: 'run the quick config from the editor title',
  timeout: 300_000,
  async run({ editor, step, log }) {
    const file = path.join(editor.workspace, 'quick-mnist.trannsformer.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.training.epochs = 2;
    writeFileSync(file, JSON.stringify(config, null, 2) + '\n');

    await step('open the config and press Run', async () => {
      await editor.openFile('quick-mnist.trannsformer.json');
      await editor.editorTitleAction('Run Transformation');
    });
    await step('progress notification and status bar', async () => {
      await editor.waitNotification(/TraNNsformer: run quick-mnist\.trannsformer\.json/, 60_000);
      const status = await until('the status bar to show the run at an epoch', async () => (await editor.statusBarTexts()).find((t) => /TraNNsformer.*epoch \d\/2/.test(t)), { timeout: 90_000 });
      log(`status bar: ${status}`);
      // The notification's message follows the status bar by a moment: wait for it (bounded).
      const toast = await until('the notification to show the epoch', async () => (await editor.notifications()).find((t) => /quick-mnist/.test(t) && /epoch \d\/2/.test(t)), { timeout: 20_000 });
      log(`notification: ${toast}`);
      assert.match(toast, /epoch \d\/2/);
    });
    await step('the run is live in the Runs tree and Run Details', async () => {
      await editor.openContainer();
      const row = editor.runsRow('quick-mnist ·');
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await until('the running run in the tree (spinning icon, epoch count)', async () => {
        const text = await row.textContent();
        return (await editor.rowIcons(row)).includes('sync') && /epoch \d\/2/.test(text) && /trannsformer/.test(text) && text;
      }, { timeout: 30_000 });
      const details = await editor.waitWebview('Run Details to show the live run', [/quick-mnist/, /running/, /epoch \d\/2, batch \d+\/\d+/], 60_000);
      log(`details while running:\n${details}`);
    });
    await step('completed with accuracy, mPEs, area and energy', async () => {
      await editor.waitNotification(/run of quick-mnist\.trannsformer\.json completed/, 180_000);
      const row = editor.runsRow('quick-mnist ·');
      const text = await until('the completed run in the tree', async () => {
        const t = await row.textContent();
        return (await editor.rowIcons(row)).includes('pass') && [/\d+\.\d+%/, /\d+ mPEs/, /[\d.]+ mm²/, /[\d.]+ µJ/].every((re) => re.test(t)) && t;
      }, { timeout: 30_000 });
      log(`tree row: ${text}`);
      await row.click();
      const details = await editor.waitWebview('Run Details to show the completed run', [/quick-mnist/, /completed/, /mPEs/, /mm²/, /µJ/], 30_000);
      log(`details when completed:\n${details}`);
      const statusAfter = (await editor.statusBarTexts()).filter((t) => /TraNNsformer/.test(t));
      assert.deepEqual(statusAfter, [], 'the status bar item is gone when no run is left');
      const [dir] = editor.runFolders();
      const result = editor.result(dir);
      assert.equal(result.status, 'completed');
      assert.ok(text.includes(`${result.mapping.mpes} mPEs`), `the tree shows the run's ${result.mapping.mpes} mPEs`);
    });
  },
};
