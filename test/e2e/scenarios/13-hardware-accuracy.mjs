// Hardware accuracy (issue 22) in a real VS Code (code-server), dark and light.
//
// A tiny run with "hardware": { "chips": 2 } and a 2-point sweep over crossbar
// size with hwAccuracy among its objectives, both from the CLI; then in the
// editor, in Dark Modern and in Light Modern: Run Details on the run shows
// "hardware accuracy" with ± std, min–max and the chips; the config's hover
// shows the run's figure; the Pareto panel's tooltip on a sweep point shows
// hardware accuracy with its spread over chips. Every figure is checked
// against the record file that holds it (result.json, pareto.json); each
// view is screenshotted whole and cropped.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { until, writeConfig } from '../harness.mjs';

const THEMES = [
  { name: 'Dark Modern', workbench: 'vs-dark', tag: 'dark' },
  { name: 'Light Modern', workbench: 'vs', tag: 'light' },
];
/** A fraction in percent points, 2 decimals (as the views print it). */
const p2 = (x) => (100 * x).toFixed(2);
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** writeConfig's tiny config with hardware accuracy measured on `chips` chips, and `extra` top-level fields. */
function hwConfig(editor, name, mode, chips, extra = {}) {
  const file = writeConfig(editor, name, { epochs: 2, trainLimit: 2000, layers: [784, 100, 10], mode });
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.hardware.chips = chips;
  writeFileSync(file, JSON.stringify({ ...config, ...extra }, null, 2) + '\n');
}

export default {
  name: 'hardware accuracy: Run Details, config hover and Pareto tooltip, dark and light',
  timeout: 900_000,
  async run({ editor, step, log }) {
    const page = editor.page;
    let run;
    let sweep;
    await step('a run with 2 chips and a 2-point sweep with hwAccuracy, from the CLI', async () => {
      hwConfig(editor, 'tiny', 'trannsformer', 2);
      hwConfig(editor, 'hwsweep', 'original', 2, { sweep: { grid: { crossbar: [32, 64] }, objectives: ['area', 'energy', 'hwAccuracy'], accuracyLossLimit: 0.05 } });
      editor.cli(['run', 'tiny.trannsformer.json'], { timeout: 300_000 });
      editor.cli(['sweep', 'hwsweep.trannsformer.json'], { timeout: 400_000 });
      const runDir = editor.runFolders().find((d) => /-tiny$/.test(d));
      const sweepDir = editor.runFolders().find((d) => d.endsWith('-sweep'));
      assert.ok(runDir && sweepDir, `a run folder and a sweep folder (${editor.runFolders().join(', ')})`);
      const a = editor.result(runDir)?.hardware?.hardwareAccuracy;
      assert.ok(a && a.chips === 2 && typeof a.std === 'number', `result.json has hardware accuracy on 2 chips (${JSON.stringify(editor.result(runDir)?.hardware)})`);
      run = { dir: runDir, a, hw: editor.result(runDir).hardware };
      const pj = JSON.parse(readFileSync(path.join(sweepDir, 'pareto.json'), 'utf8'));
      assert.equal(pj.done, 2, 'both sweep points priced');
      sweep = { dir: sweepDir, pj };
      log(`run: ${path.basename(runDir)} ${JSON.stringify(a)}\nsweep points: ${JSON.stringify(pj.points.map((x) => ({ id: x.id, crossbar: x.crossbar, ...x.figures })))}`);
    });

    await step('the config open, the Runs view, the Pareto panel on the sweep', async () => {
      await editor.openFile('tiny.trannsformer.json');
      await editor.openContainer();
      await editor.runsRow('sweep ·').waitFor({ state: 'visible', timeout: 60_000 });
      await editor.contextMenu(editor.runsRow('sweep ·'), 'Open Pareto Plot');
      await editor.waitWebview('the Pareto panel on the sweep', [/Sweep hwsweep/, /2 of 2 points done/], 60_000);
    });

    for (const theme of THEMES) {
      if (theme.tag !== 'dark') {
        await step(`switch to ${theme.name}`, async () => {
          await editor.setTheme(theme.name);
          await until(`the workbench in ${theme.name}`, () => page.locator(`.monaco-workbench.${theme.workbench}`).count(), { timeout: 20_000 });
          await page.waitForTimeout(1500); // the webviews receive the theme's variables
        });
      }

      await step(`Run Details: hardware accuracy with its spread (${theme.tag})`, async () => {
        // A tree tooltip left by the mouse (the config group's name) would take the click: move away until it is gone.
        await page.mouse.move(700, 860);
        await until('no tooltip over the Runs view', async () => (await page.locator('.context-view .hover-contents').count()) === 0, { timeout: 10_000 }).catch(() => log('a tooltip stayed'));
        await editor.runsRow('tiny ·').click();
        const { a, hw } = run;
        const want = `${p2(a.mean)}% ± ${p2(a.std)} (${p2(a.min)}%–${p2(a.max)}%) over 2 chips · ${hw.preset} ${hw.crossbarSize}×${hw.crossbarSize} · software ${p2(a.softwareAccuracy)}%`;
        const text = await editor.waitWebview('Run Details with hardware accuracy', [/hardware accuracy/, new RegExp(esc(want))], 30_000);
        log(`Run Details (${theme.tag}):\n${text}`);
        // The row sits below the fold of the sidebar: scroll it into view, as a user would, for the screenshots.
        // Run Details' frame (the Pareto panel's axis menu also says "hardware accuracy"); it may render again meanwhile: bounded retries.
        await until('the hardware accuracy row scrolled into view', async () => {
          const frame = await editor.webviewFrame(/synapses kept/);
          await frame.locator('tr', { hasText: 'hardware accuracy' }).first().scrollIntoViewIfNeeded({ timeout: 3_000 });
          return true;
        }, { timeout: 20_000 });
        await page.waitForTimeout(300);
        await editor.screenshot(`details-${theme.tag}`);
        await page.locator('.part.sidebar').screenshot({ path: path.join(editor.artifacts, `details-${theme.tag}-crop.png`) });
      });

      await step(`the config hover: the run's hardware accuracy (${theme.tag})`, async () => {
        const group = page.locator('.part.editor .editor-group-container', { has: page.locator('.tab.active', { hasText: 'tiny.trannsformer.json' }) });
        await group.locator('.tab.active', { hasText: 'tiny.trannsformer.json' }).click();
        const token = group.locator('.view-lines span', { hasText: /^784$/ }).first();
        const { a, hw } = run;
        const want = `Last measured hardware accuracy: ${p2(a.mean)}% ± ${p2(a.std)} (${p2(a.min)}–${p2(a.max)}) on 2 chips, ${hw.preset} ${hw.crossbarSize}×${hw.crossbarSize}; software ${p2(a.softwareAccuracy)}% — run ${path.basename(run.dir)}, `;
        // Shown, not just in the DOM (a hidden hover keeps its text): hover again until it is on screen with the figure.
        const hover = page.locator('.monaco-hover').filter({ visible: true, hasText: 'Last measured' }).first();
        const text = await until('the hover with the run\'s hardware accuracy', async () => {
          await page.mouse.move(5, 5);
          await token.hover();
          await hover.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => {});
          const t = (await hover.isVisible()) ? await hover.innerText() : '';
          return t.includes(want) ? t : undefined;
        }, { timeout: 30_000, interval: 500 });
        log(`hover (${theme.tag}):\n${text}`);
        assert.match(text, /Dense mapping on 32×32 crossbars/);
        await page.waitForTimeout(600); // the hover fades in
        await editor.screenshot(`hover-${theme.tag}`);
        await hover.screenshot({ path: path.join(editor.artifacts, `hover-${theme.tag}-crop.png`) });
        await page.mouse.move(5, 5);
      });

      await step(`the Pareto tooltip: a sweep point's hardware accuracy over chips (${theme.tag})`, async () => {
        const frame = await editor.webviewFrame(/Sweep hwsweep/);
        assert.ok(frame, 'the Pareto webview');
        const rows = await frame.$$eval('#front tr', (rs) => rs.map((r) => ({ point: r.dataset.point, x: Number(r.dataset.px), y: Number(r.dataset.py) })));
        assert.ok(rows.length >= 1, 'a point on the front');
        const at = rows[0];
        const box = await frame.locator('#pareto').boundingBox();
        await page.mouse.move(box.x + 2, box.y + 2);
        await page.mouse.move(box.x + at.x, box.y + at.y);
        const tip = await until('the tooltip', async () => frame.evaluate(() => document.getElementById('pareto-hover')?.textContent ?? ''), { timeout: 10_000 });
        log(`tooltip on ${at.point} (${theme.tag}):\n${tip}`);
        const f = sweep.pj.points.find((x) => x.id === at.point)?.figures;
        assert.ok(f && typeof f.hwAccuracy === 'number' && f.hwAccuracySpread, `pareto.json has ${at.point}'s hardware accuracy and its spread (${JSON.stringify(f)})`);
        const s = f.hwAccuracySpread;
        assert.match(tip, new RegExp(`hardware accuracy \\(simulated chips\\): ${esc(p2(f.hwAccuracy))}%`));
        assert.match(tip, new RegExp(`over ${s.chips} chips: ± ${esc(p2(s.std))}% \\(${esc(p2(s.min))}%–${esc(p2(s.max))}%\\)`));
        await editor.screenshot(`pareto-tooltip-${theme.tag}`);
        await frame.locator('#pareto').screenshot({ path: path.join(editor.artifacts, `pareto-tooltip-${theme.tag}-crop.png`) });
      });
    }
  },
};
