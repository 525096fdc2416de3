// A sweep from the editor, with its points in the Pareto panel as they finish.
//
// A tiny config with a sweep section (crossbar 32, 64 × mode original,
// trannsformer: 4 points, 3 trainings) → Run Sweep from the command palette →
// the sweep is one node of the Runs view with its trainings → the Pareto
// panel opened on that node fills with the points (live, while the sweep
// goes; its progress in the status bar, never 100 % early) → at the end:
// every point, a front, the recommended design marked as pareto.json says,
// the completion in the status bar (not a toast over the panel); the sweep
// node selected shows its summary in Run Details and stays expanded across a
// refresh; screenshots in the dark theme.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { until, writeConfig } from '../harness.mjs';

const RUN_SWEEP = "TraNNsformer: Run Sweep (the config's sweep section: Pareto front of crossbar sizes, presets, modes)";

export default {
  name: 'sweep from the editor, points in the Pareto panel',
  timeout: 480_000,
  async run({ editor, step, log }) {
    const sweepDir = () => editor.runFolders().find((d) => d.endsWith('-sweep'));
    const paretoJson = () => {
      const d = sweepDir();
      try {
        return d ? JSON.parse(readFileSync(path.join(d, 'pareto.json'), 'utf8')) : undefined;
      } catch {
        return undefined;
      }
    };

    await step('a tiny sweep config, Run Sweep from the palette', async () => {
      const file = writeConfig(editor, 'tiny', { epochs: 2, trainLimit: 2000, layers: [784, 100, 10], mode: 'trannsformer' });
      const config = JSON.parse(readFileSync(file, 'utf8'));
      config.sweep = { grid: { crossbar: [32, 64], mode: ['original', 'trannsformer'] }, objectives: ['area', 'energy', 'accuracy'], accuracyLossLimit: 0.05 };
      writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
      await editor.openFile('tiny.trannsformer.json');
      await editor.command(RUN_SWEEP);
      // The sweep's progress is in the status bar (trainings done of all), not in a notification over the panels.
      const status = await until('the status bar to show the sweep', async () => (await editor.statusBarTexts()).find((t) => /TraNNsformer: sweep \d\/3 trainings · .*\d+% · ETA /.test(t)), { timeout: 60_000 });
      log(`status bar: ${status}`);
      assert.doesNotMatch(status, /starting…/);
      assert.deepEqual((await editor.notifications()).filter((t) => /TraNNsformer: sweep/.test(t)), [], 'no progress notification');
    });

    await step('the sweep is one node of the Runs view', async () => {
      await editor.openContainer();
      const row = editor.runsRow('sweep ·');
      await row.waitFor({ state: 'visible', timeout: 60_000 });
      const text = await row.textContent();
      log(`sweep row: ${text}`);
      assert.match(text, /sweep · \d\/4 points/);
      const rows = await editor.runsRows();
      assert.equal(rows.filter((t) => /sweep ·/.test(t)).length, 1, `one sweep node (${rows.join(' | ')})`);
    });

    let livePoints = -1;
    await step('the Pareto panel opened on the sweep node fills as points finish', async () => {
      await editor.contextMenu(editor.runsRow('sweep ·'), 'Open Pareto Plot');
      await editor.waitWebview('the Pareto panel on the sweep', [/Sweep tiny/, /of 4 points done/], 60_000);
      const frame = await editor.webviewFrame(/Sweep tiny/);
      // Seen while the sweep still runs (the first training is original: two points at once).
      const seen = await until(
        'priced points in the panel',
        async () => {
          const n = await frame.evaluate(() => /: (\d+) points/.exec(document.getElementById('pareto')?.getAttribute('aria-label') ?? '')?.[1]);
          return n !== undefined && Number(n) > 0 && Number(n);
        },
        { timeout: 300_000, interval: 500 },
      );
      const doneOnDisk = paretoJson()?.done ?? 0;
      const status = (await editor.statusBarTexts()).find((t) => /TraNNsformer: sweep/.test(t));
      log(`status bar while the sweep runs: ${status}`);
      if (status && doneOnDisk < 4) assert.doesNotMatch(status, /100%|ETA 0\b/, 'never 100% or ETA 0 before the end');
      livePoints = seen;
      log(`first points in the panel: ${seen} (pareto.json: ${doneOnDisk} of 4 done)`);
      await editor.screenshot('pareto-sweep-live-dark');
    });

    await step('all four points, a front and the recommended design', async () => {
      // The Pareto panel is on screen: the completion is said in the status bar, not in a toast over its axis and caption.
      await until('the completion in the status bar', async () => (await editor.statusBarTexts()).some((t) => /TraNNsformer sweep of tiny\.trannsformer\.json completed/.test(t)), { timeout: 300_000 });
      assert.deepEqual((await editor.notifications()).filter((t) => /TraNNsformer/.test(t)), [], 'no TraNNsformer toast over the panel');
      const text = await editor.waitWebview('the panel with every point', [/Sweep tiny/, /4 of 4 points done/, /4 points, \d on the front/], 60_000);
      log(`Pareto panel: ${text.replace(/\n/g, ' | ').slice(0, 600)}`);
      const frame = await editor.webviewFrame(/Sweep tiny/);
      const front = await frame.$$eval('#front tr', (rows) => rows.map((r) => ({ point: r.dataset.point, key: r.dataset.key, text: r.textContent })));
      log(`front: ${JSON.stringify(front)}`);
      const pj = paretoJson();
      assert.ok(pj, 'pareto.json is written');
      assert.equal(pj.done, 4);
      assert.ok(front.length >= 1, 'the area/energy front has a point');
      for (const f of front) assert.ok(f.key && f.key.startsWith(sweepDir()), `a front point opens its training's run folder (${f.key})`);
      const recommended = await frame.evaluate(() => document.getElementById('sweep-summary')?.dataset.recommended);
      assert.equal(recommended, pj.recommended, `the panel marks pareto.json's recommendation (${pj.recommended ?? pj.noRecommendation})`);
      if (pj.recommended) assert.match(text, /★ recommended: /);
      // The chart is drawn.
      const inked = await frame.evaluate(() => {
        const c = document.getElementById('pareto');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });
      assert.ok(inked > 1000, `the scatter is drawn (${inked} pixels)`);
      assert.ok(livePoints > 0 && livePoints <= 4, 'points were shown before the end');
      await editor.screenshot('pareto-sweep-dark');
    });

    await step('the Runs view: the sweep node with its trainings and the recommendation', async () => {
      const row = editor.runsRow('sweep ·');
      const text = await until('the finished sweep node', async () => {
        const t = await row.textContent();
        return /4\/4 points/.test(t) && t;
      }, { timeout: 30_000 });
      log(`sweep row at the end: ${text}`);
      const rec = paretoJson().recommended;
      if (rec) assert.match(text, new RegExp(`→ ${rec} `), 'the node names the recommendation');
      // Expanded: its three trainings (original once for both sizes, TraNNsformer per size).
      await row.click();
      const trainings = await until('the sweep node expanded on its trainings', async () => {
        const t = (await editor.runsRows()).filter((r) => /^(original|trannsformer) · /.test(r));
        return t.length === 3 && t;
      }, { timeout: 20_000 });
      log(`trainings: ${trainings.join(' | ')}`);
      // Selected, the sweep shows its pareto.json summary in Run Details.
      const pj = paretoJson();
      const details = await editor.waitWebview('Run Details on the sweep', [/4 of 4 done/, /accuracy-loss limit/, new RegExp(pj.recommended ? `recommended\\s+${pj.recommended} ` : 'recommended')], 20_000);
      log(`Run Details on the sweep:\n${details}`);
      await editor.screenshot('runs-sweep-dark');
      // A refresh keeps the sweep node expanded (stable tree ids).
      await editor.command('TraNNsformer: Refresh Runs');
      await editor.page.waitForTimeout(1500);
      const after = (await editor.runsRows()).filter((r) => /^(original|trannsformer) · /.test(r));
      assert.equal(after.length, 3, `still expanded after a refresh (${(await editor.runsRows()).join(' | ')})`);
    });
  },
};
