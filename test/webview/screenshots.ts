/**
 * Screenshots of the panels in the dark, light and high-contrast stand-in themes, on the
 * test fixtures: `node --import tsx test/webview/screenshots.ts [outDir]`
 * (default /tmp/trannsformer-webview-shots). For looking, not asserting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launch, openPanel } from './harness';
import { designPoint, plantedRun } from './fixtures';
import { mappingViewOf } from '../../src/extension/panels/mappingData';
import { paretoPoints, paretoView } from '../../src/extension/panels/paretoData';
import { curvesViewOf } from '../../src/extension/panels/curvesData';
import { readRun } from '../../src/engine/store/runFolder';
import { tmpDir } from '../helpers/files';

async function main() {
  const out = process.argv[2] ?? '/tmp/trannsformer-webview-shots';
  fs.mkdirSync(out, { recursive: true });
  const root = tmpDir('trn-shots-');
  const cmp = path.join(root, '20260101-000000-shots-compare');
  fs.mkdirSync(cmp);
  const specs = [
    { blocks: 6, bRows: 40, bCols: 50, density: 0.85, noise: 0.004, seed: 3 },
    { blocks: 3, bRows: 30, bCols: 80, density: 0.8, noise: 0.01, seed: 5 },
  ];
  const run = plantedRun(cmp, specs, { name: '20260101-000002-trannsformer', crossbar: 64 });
  const pts = [];
  const modes = ['original', 'pruning', 'trannsformer'] as const;
  for (let s = 0; s < 4; s++) {
    const sc = path.join(root, `20260102-00000${s}-sweep${s}-compare`);
    fs.mkdirSync(sc);
    modes.forEach((mode, k) => {
      const xb = [32, 64, 128, 64][s];
      designPoint(sc, `2026010${k}-000000-${mode}`, { mode, crossbar: xb, accuracy: 0.985 - 0.002 * k - 0.001 * s, mpes: [600, 540, 130][k] * (64 / xb) ** 2 * (1 + 0.1 * s), area: [16, 14.8, 3.4][k] * (1 + 0.15 * s), energy: [900, 850, 115][k] * (1 + 0.2 * s) });
    });
    pts.push(sc);
  }
  const browser = await launch();
  for (const theme of ['dark', 'light', 'high-contrast'] as const) {
    const m = await openPanel(browser, 'mapping', { theme, width: 1200, height: 820 });
    await m.send({ type: 'show', view: mappingViewOf(run.dir) });
    await m.page.waitForSelector('#summary');
    await m.page.screenshot({ path: path.join(out, `mapping-${theme}.png`) });
    await m.page.context().close();
    const p = await openPanel(browser, 'pareto', { theme, width: 1100, height: 760 });
    const sources = pts.map((d) => ({ compareDir: d, runs: fs.readdirSync(d).map((n) => readRun(path.join(d, n))) }));
    await p.send({ type: 'show', view: paretoView(paretoPoints(sources)) });
    await p.page.waitForSelector('#front');
    await p.page.screenshot({ path: path.join(out, `pareto-${theme}.png`) });
    await p.page.context().close();
    const c = await openPanel(browser, 'curves', { theme, width: 1000, height: 760 });
    await c.send({ type: 'show', view: curvesViewOf(run.dir, false) });
    await c.page.waitForSelector('#accuracy');
    await c.page.screenshot({ path: path.join(out, `curves-${theme}.png`) });
    await c.page.context().close();
  }
  await browser.close();
  fs.rmSync(root, { recursive: true, force: true });
  console.log(`screenshots in ${out}`);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
