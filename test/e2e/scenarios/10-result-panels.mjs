// The result panels in a real VS Code (code-server).
//
// After a quick comparison: the mapping panel (from the command, beside the
// config) shows the clusters in cluster order and the crossbar tiles; the
// Pareto panel shows the three modes with the front; screenshots in the dark
// and light themes; after a window reload both panels are restored.
import assert from 'node:assert/strict';
import { until, writeConfig } from '../harness.mjs';

export default {
  name: 'result panels: crossbar mapping and Pareto',
  timeout: 420_000,
  async run({ editor, step, log, knownDefect }) {
    await step('a quick comparison', async () => {
      writeConfig(editor, 'tiny', { epochs: 2, trainLimit: 2000, layers: [784, 100, 10], mode: 'trannsformer' });
      editor.cli(['compare', 'tiny.trannsformer.json'], { timeout: 400_000 });
      await editor.openContainer();
      await editor.runsRow('compare').waitFor({ state: 'visible', timeout: 30_000 });
    });
    await step('mapping panel (dark)', async () => {
      await editor.openFile('tiny.trannsformer.json');
      await editor.command('TraNNsformer: Open Crossbar Mapping');
      await editor.pick('trannsformer');
      const text = await editor.waitWebview('the mapping panel', [/clusters holding/, /crossbars 32×32/], 60_000);
      log(`mapping panel: ${text.replace(/\n/g, ' | ').slice(0, 400)}`);
      assert.match(text, /100 outputs × 784 inputs/);
      const frame = await editor.webviewFrame(/clusters holding/);
      assert.equal(await frame.evaluate(() => document.getElementById('order').value), 'cluster', 'cluster order by default');
      // Drawn: the canvas is not blank.
      const inked = await frame.evaluate(() => {
        const c = document.getElementById('heatmap');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });
      assert.ok(inked > 1000, `the heatmap is drawn (${inked} pixels)`);
    });
    await step('Pareto panel (dark)', async () => {
      await editor.command('TraNNsformer: Open Pareto Plot');
      const text = await editor.waitWebview('the Pareto panel', [/Design points/, /3 runs, \d on the front/], 60_000);
      log(`Pareto panel: ${text.replace(/\n/g, ' | ').slice(0, 400)}`);
      const frame = await editor.webviewFrame(/Design points/);
      const front = await frame.$$eval('#front tr', (rows) => rows.map((r) => r.textContent));
      assert.ok(front.length >= 1, 'the front has a point');
      assert.ok(front.some((t) => /trannsformer/.test(t ?? '')), `TraNNsformer is on the area/energy front (${front.join('; ')})`);
    });
    await step('light theme', async () => {
      editor.writeSettings({ 'workbench.colorTheme': 'Default Light Modern' });
      await editor.command('Preferences: Color Theme');
      await editor.pick('Light Modern');
      await until('the light theme', async () => (await editor.page.locator('.monaco-workbench.vs').count()) > 0, { timeout: 20_000 });
      await editor.page.waitForTimeout(1500);
      await editor.screenshot('pareto-light');
      await editor.page.locator('.tab', { hasText: 'Mapping:' }).first().click();
      await editor.page.waitForTimeout(1500);
    });
    // Known defect, not diagnosed: after a reload one restored panel sometimes stays on "Loading…"
    // (seen in 3 of 4 clean-clone CI runs, never in the working tree). Still checked on every run.
    await knownDefect('reload: both panels restored', async () => {
      await editor.reload();
      await editor.waitWebview('the Pareto panel restored', [/Design points/, /on the front/], 60_000);
      await editor.page.locator('.tab', { hasText: 'Mapping:' }).first().click();
      await editor.waitWebview('the mapping panel restored', [/clusters holding/], 60_000);
    });
  },
};
