// New Experiment Config from a template: pick one, name the file, and the new
// config opens in an editor, written into the workspace with its name set.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { until } from '../harness.mjs';

export default {
  name: 'new experiment config from a template',
  timeout: 150_000,
  async run({ editor, step }) {
    const name = 'e2e-new.trannsformer.json';
    await step('pick the template', async () => {
      await editor.command('TraNNsformer: New Experiment Config…');
      await editor.pick('Quick MNIST');
    });
    await step('name the file', async () => {
      const input = editor.quickInput.locator('input.input');
      await until('the file name prompt', async () => (await input.inputValue()) === 'quick-mnist.trannsformer.json', { timeout: 10_000 });
      await input.fill(name);
      await editor.page.keyboard.press('Enter');
    });
    await step('the new config is open', async () => {
      const tab = editor.page.locator('.part.editor .tabs-container .tab.active', { hasText: name });
      await tab.waitFor({ state: 'visible', timeout: 20_000 });
      const file = path.join(editor.workspace, name);
      assert.ok(existsSync(file), `${file} written`);
      const config = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(config.name, 'e2e-new');
      assert.deepEqual(config.network.layers, [784, 300, 300, 10]);
      // The editor shows the file's text (the template's description line).
      await editor.page.locator('.part.editor .view-lines', { hasText: '"name": "e2e-new"' }).waitFor({ state: 'visible' });
    });
  },
};
