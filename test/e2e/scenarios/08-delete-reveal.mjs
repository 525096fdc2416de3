// Delete Run and Reveal Run Folder from the Runs tree work in code-server:
// there is no system file manager (reveal falls back to the Explorer) and no
// trash (delete asks again, then deletes permanently).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { until, writeConfig } from '../harness.mjs';

export default {
  name: 'delete run and reveal folder',
  timeout: 200_000,
  async run({ editor, step, log }) {
    let dir;
    await step('a finished run in the tree', async () => {
      writeConfig(editor, 'tiny', { epochs: 1, trainLimit: 2000 });
      editor.cli(['run', 'tiny.trannsformer.json']);
      [dir] = editor.runFolders();
      await editor.openContainer();
      await editor.runsRow('tiny ·').waitFor({ state: 'visible', timeout: 30_000 });
    });
    await step('reveal the run folder', async () => {
      await editor.contextMenu(editor.runsRow('tiny ·'), 'Reveal Run Folder');
      // The Explorer opens with the run folder selected.
      const selected = editor.page.locator('.part.sidebar .explorer-folders-view .monaco-list-row.selected', { hasText: path.basename(dir) });
      await selected.waitFor({ state: 'visible', timeout: 20_000 });
      const errors = (await editor.notifications()).filter((t) => /error|not found|failed/i.test(t));
      assert.deepEqual(errors, [], 'no error is shown');
    });
    await step('delete the run', async () => {
      await editor.openContainer();
      await editor.contextMenu(editor.runsRow('tiny ·'), 'Delete Run');
      const dialog = editor.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible' });
      assert.match(await dialog.innerText(), new RegExp(`Delete run folder ${path.basename(dir)}`));
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
      // No trash here: a second, explicit confirmation for a permanent delete.
      const again = editor.page.locator('.monaco-dialog-box', { hasText: 'Delete it permanently?' });
      await again.waitFor({ state: 'visible', timeout: 15_000 });
      log(`second dialog: ${await again.innerText()}`);
      await again.getByRole('button', { name: 'Delete Permanently' }).click();
      await until('the run folder to be gone', () => !existsSync(dir), { timeout: 15_000 });
      await until('the run to leave the tree', async () => !(await editor.runsRows()).some((r) => r.includes('tiny ·')), { timeout: 15_000 });
      const errors = (await editor.notifications()).filter((t) => /error|failed|could not/i.test(t));
      assert.deepEqual(errors, [], 'no error is shown');
    });
  },
};
