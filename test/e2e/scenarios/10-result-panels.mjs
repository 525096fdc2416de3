// The result panels in a real VS Code (code-server).
//
// After a quick comparison: the mapping panel (from the command, beside the
// config) shows the clusters in cluster order and the crossbar tiles; the
// Pareto panel shows the three modes with the front, in the mapping's column
// (one results column); screenshots in the dark and light themes; the
// resources of a reloaded panel load under fresh URLs; after each of 5 window
// reloads both panels (side by side, restored at once) render and Run
// Details still shows the selected run.
import assert from 'node:assert/strict';
import { until, writeConfig } from '../harness.mjs';

export default {
  name: 'result panels: crossbar mapping and Pareto',
  timeout: 720_000,
  async run({ editor, step, log }) {
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
      // One results column: the config's and the results' (Pareto joined the mapping's, no third).
      assert.equal(await editor.page.locator('.editor-group-container').count(), 2, 'two editor groups');
      const group = editor.page.locator('.editor-group-container', { has: editor.page.locator('.tab', { hasText: 'Mapping:' }) });
      assert.equal(await group.locator('.tab', { hasText: 'Pareto:' }).count(), 1, 'Pareto opened in the mapping panel\'s column');
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
    await step('the fresh resource URLs a reloaded panel asks for load', async () => {
      // The panel watchdog re-sets a panel's HTML with "?load=N" on its resources: they must load through the webview's service worker.
      const frame = await editor.webviewFrame(/clusters holding/);
      // The page's CSP allows no fetch: load the panel's style sheet again through a <link>, as a reload would.
      const got = await frame.evaluate(async () => {
        const href = document.querySelector('link[rel="stylesheet"]').href;
        const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: `${href}${href.includes('?') ? '&' : '?'}load=2` });
        const loaded = new Promise((resolve) => {
          link.onload = () => resolve('load');
          link.onerror = () => resolve('error');
        });
        document.head.append(link);
        const how = await Promise.race([loaded, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
        return { how, rules: how === 'load' ? link.sheet.cssRules.length : 0, href: link.href };
      });
      assert.equal(got.how, 'load', `the style sheet under a fresh URL loads (${got.href})`);
      assert.ok(got.rules > 5, `the style sheet's rules (${got.rules})`);
    });
    await step('Pareto moved beside the mapping: both shown, so a reload restores both at once', async () => {
      await editor.page.locator('.tab', { hasText: 'Pareto:' }).first().click();
      await editor.waitWebview('the Pareto panel shown again', [/Design points/], 30_000);
      await editor.command('View: Move Editor into Right Group');
      await until('three editor groups', async () => (await editor.page.locator('.editor-group-container').count()) === 3, { timeout: 15_000 });
      await editor.waitWebview('the mapping panel shown', [/clusters holding/], 30_000);
      await editor.waitWebview('the Pareto panel shown', [/Design points/], 30_000);
    });
    await step('a run selected in the Runs view shows in Run Details', async () => {
      await editor.runsRow('compare').click();
      await editor.runsRow('trannsformer ·').click();
      await editor.waitWebview('Run Details on the TraNNsformer run', [/synapses kept/, /Reveal folder/, /completed/], 30_000);
    });
    // After a reload every shown panel must render: a panel whose bundle did not load is loaded again by the host's watchdog.
    for (let i = 1; i <= 5; i++) {
      await step(`reload ${i} of 5: both panels restored`, async () => {
        const t0 = Date.now();
        await editor.reload();
        await editor.waitWebview('the Pareto panel restored', [/Design points/, /on the front/], 60_000);
        await editor.waitWebview('the mapping panel restored', [/clusters holding/], 60_000);
        // Run Details keeps its run across the reload (not "Select a run").
        await editor.waitWebview('Run Details restored on the same run', [/synapses kept/, /Reveal folder/, /completed/], 60_000);
        log(`reload ${i}: both panels rendered ${((Date.now() - t0) / 1000).toFixed(1)} s after the reload began`);
      });
    }
    const watchdog = editor.extensionLog().split('\n').filter((l) => /no "ready"|Reload panel|reloading the panel/.test(l));
    log(`panel watchdog lines in the extension log: ${watchdog.length}${watchdog.length ? `\n${watchdog.join('\n')}` : ''}`);
  },
};
