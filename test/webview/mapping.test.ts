/// <reference lib="dom" />
/** The crossbar mapping panel's bundle in headless Chromium, on a planted-block run folder read through the host's builder. */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { haveChromium, launch, openPanel, sideways, type PanelPage } from './harness';
import { plantedRun } from './fixtures';
import { mappingViewOf } from '../../src/extension/panels/mappingData';
import { tmpDir } from '../helpers/files';

/** Screenshots for looking at (not asserted): test-results/webview/. */
const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'webview');
fs.mkdirSync(SHOTS, { recursive: true });

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (apt-get install chromium)';

/** Fraction of a display-cell rectangle's canvas pixels within `tol` of `rgb`. */
async function share(p: PanelPage, cells: { x0: number; y0: number; x1: number; y1: number }, rgb: [number, number, number], tol = 12): Promise<number> {
  return p.page.evaluate(
    ({ cells, rgb, tol }) => {
      const c = document.getElementById('heatmap') as HTMLCanvasElement;
      const s = Number(c.dataset.scale);
      const ox = Number(c.dataset.ox);
      const oy = Number(c.dataset.oy);
      // Stay a cell inside the block so outlines and edges do not count.
      const x0 = Math.ceil(ox + (cells.x0 + 1) * s);
      const y0 = Math.ceil(oy + (cells.y0 + 1) * s);
      const x1 = Math.floor(ox + (cells.x1 - 1) * s);
      const y1 = Math.floor(oy + (cells.y1 - 1) * s);
      const d = c.getContext('2d')!.getImageData(x0, y0, x1 - x0, y1 - y0).data;
      let hit = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - rgb[0]) <= tol && Math.abs(d[i + 1] - rgb[1]) <= tol && Math.abs(d[i + 2] - rgb[2]) <= tol) hit++;
      return hit / (d.length / 4);
    },
    { cells, rgb, tol },
  );
}

const hex = (h: string): [number, number, number] => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const DARK_BG = hex('#1f1f1f');

/** The cluster colours the legend shows (its swatches), as RGB. */
async function swatches(p: PanelPage): Promise<[number, number, number][]> {
  const css = await p.page.$$eval('#cluster-list .swatch', (s) => s.map((e) => getComputedStyle(e).backgroundColor));
  return css.map((c) => c.match(/\d+/g)!.slice(0, 3).map(Number) as [number, number, number]);
}

/** CIE L*a*b* of an sRGB colour, and the distance between two (ΔE 1976). */
function lab([r, g, b]: [number, number, number]): [number, number, number] {
  const lin = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const X = f((0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047);
  const Y = f(0.2126 * R + 0.7152 * G + 0.0722 * B);
  const Z = f((0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883);
  return [116 * Y - 16, 500 * (X - Y), 200 * (Y - Z)];
}
const deltaE = (a: [number, number, number], b: [number, number, number]) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));

/** Bits of a layer view, unpacked (row-major, outputs × inputs). */
const unpack = (bits: string, n: number) => {
  const b = Buffer.from(bits, 'base64');
  return Uint8Array.from({ length: n }, (_, k) => (b[k >> 3] >> (7 - (k & 7))) & 1);
};

describe('mapping panel', { skip }, () => {
  let browser: Browser;
  let run: ReturnType<typeof plantedRun>;
  const root = tmpDir('trn-webview-');
  const cmp = path.join(root, '20260101-000000-fix-compare');
  before(async () => {
    fs.mkdirSync(cmp, { recursive: true });
    // Layer 1: 4 blocks of 24 outputs × 30 inputs (120 → 96); layer 2: 2 blocks of 20 × 48 (96 → 40).
    run = plantedRun(cmp, [
      { blocks: 4, bRows: 24, bCols: 30, density: 0.9, noise: 0.02, seed: 3 },
      { blocks: 2, bRows: 20, bCols: 48, density: 0.85, noise: 0.0, seed: 5 },
    ], { name: '20260101-000001-trannsformer' });
    plantedRun(cmp, [
      { blocks: 4, bRows: 24, bCols: 30, density: 0.9, noise: 0.02, seed: 3 },
      { blocks: 2, bRows: 20, bCols: 48, density: 0.85, noise: 0.0, seed: 5 },
    ], { name: '20260101-000000-original', mode: 'original' });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the host builder reads the run folder: bit-packed masks, clusters, cluster order, packed crossbars, snapshots, siblings', () => {
    const v = mappingViewOf(run.dir);
    assert.equal(v.scheme, 'packed');
    assert.deepEqual(v.schemes.sort(), ['compact', 'compact-skip', 'dense', 'packed', 'paper']);
    assert.equal(v.layers.length, 2);
    const l = v.layers[0];
    assert.equal(Buffer.from(l.bits, 'base64').length, Math.ceil((96 * 120) / 8));
    assert.equal(l.clusters.length, 4);
    assert.equal(l.crossbars?.length, run.mapping.packed.layers[0].count);
    assert.deepEqual(v.snapshots.map((s) => s.epoch), [1, 2]);
    assert.deepEqual(v.siblings.map((s) => s.mode), ['original', 'trannsformer']);
    const snap = mappingViewOf(run.dir, { epoch: 2 });
    assert.equal(snap.epoch, 2);
    assert.equal(snap.layers[0].crossbars, undefined);
    assert.equal(snap.layers[0].clusters.length, 4);
    assert.throws(() => mappingViewOf(run.dir, { epoch: 9 }), /no connectivity snapshot for epoch 9 \(snapshots: 1, 2\)/);
    const dense = mappingViewOf(run.dir, { scheme: 'dense' });
    assert.equal(dense.layers[0].crossbars?.length, Math.ceil(96 / 32) * Math.ceil(120 / 32));
  });

  test('draws the planted blocks in cluster order, outlines crossbars, hover names neuron, cluster and crossbar; layer switch', async () => {
    const p = await openPanel(browser, 'mapping');
    await p.send({ type: 'show', view: mappingViewOf(run.dir) });
    await p.page.waitForSelector('#summary');
    assert.match(await p.page.textContent('#summary') ?? '', /96 outputs × 120 inputs/);
    assert.equal(await p.page.locator('#cluster-list li').count(), 4);
    const colours = await swatches(p);
    // Cluster order: block k occupies display rows 24k… and columns 30k…, in cluster k's colour (90% dense).
    for (let k = 0; k < 4; k++) {
      const s = await share(p, { x0: 30 * k, y0: 24 * k, x1: 30 * (k + 1), y1: 24 * (k + 1) }, colours[k]);
      assert.ok(s > 0.75, `block ${k} is drawn in its cluster colour (${s.toFixed(2)})`);
    }
    // Off the diagonal: mostly background (the 2% noise is highlighted as unclustered).
    const off = await share(p, { x0: 30, y0: 0, x1: 60, y1: 24 }, DARK_BG);
    assert.ok(off > 0.9, `off-diagonal block is background (${off.toFixed(2)})`);
    // Hover over the middle of block 0.
    const box = (await p.page.locator('#heatmap').boundingBox())!;
    const ds = await p.page.evaluate(() => ({ ...(document.getElementById('heatmap') as HTMLCanvasElement).dataset }));
    await p.page.mouse.move(box.x + Number(ds.ox) + 15.5 * Number(ds.scale), box.y + Number(ds.oy) + 12.5 * Number(ds.scale));
    const hover = (await p.page.textContent('#hover')) ?? '';
    assert.match(hover, /output \d+ · input \d+/);
    assert.match(hover, /cluster 1 \(24×30, quality 0\.\d+\)/);
    assert.match(hover, /crossbar \d+ \((cluster|leftover|tile), \d+×\d+, \d+ synapses, utilisation \d+\.\d%\)/);
    // Original order scatters the blocks: the same region is no longer one cluster's colour.
    await p.page.evaluate(() => {
      const s = document.getElementById('order') as HTMLElement & { value: string };
      s.value = 'original';
      s.dispatchEvent(new Event('change'));
    });
    const scattered = await share(p, { x0: 0, y0: 0, x1: 30, y1: 24 }, colours[0]);
    assert.ok(scattered < 0.5, `original order scatters block 0 (${scattered.toFixed(2)})`);
    // Layer switch.
    await p.page.evaluate(() => {
      const s = document.getElementById('layer') as HTMLElement & { value: string };
      s.value = '1';
      s.dispatchEvent(new Event('change'));
    });
    assert.match((await p.page.textContent('#summary')) ?? '', /40 outputs × 96 inputs/);
    assert.equal(await p.page.locator('#cluster-list li').count(), 2);
    const state = await p.page.evaluate(() => (window as unknown as { __state: Record<string, unknown> }).__state);
    assert.deepEqual({ key: state.key, layer: state.layer, order: state.order }, { key: run.dir, layer: 1, order: 'original' }, 'the state holds the key and view choices');
    assert.ok(!JSON.stringify(state).includes('bits'), 'the state holds no data');
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('clusters that share outputs (as SCIC makes them) are each drawn in their colour, not as unclustered', async () => {
    const v = mappingViewOf(run.dir);
    // Layer 2: two planted blocks; make both clusters span all 40 outputs (their inputs stay apart).
    const l = v.layers[1];
    const all = Array.from({ length: l.rows }, (_, i) => i);
    l.clusters = l.clusters.map((c) => ({ ...c, outputs: all }));
    const p = await openPanel(browser, 'mapping', { state: { layer: 1 } });
    await p.send({ type: 'show', view: v });
    await p.page.waitForSelector('#summary');
    assert.match((await p.page.textContent('#summary')) ?? '', /40 outputs × 96 inputs/);
    // Cluster order keeps the planted row order (block 0's 20 outputs first): block k is rows 20k…, columns 48k….
    const colours = await swatches(p);
    for (let k = 0; k < 2; k++) {
      const s = await share(p, { x0: 48 * k, y0: 20 * k, x1: 48 * (k + 1), y1: 20 * (k + 1) }, colours[k]);
      assert.ok(s > 0.7, `block ${k} in its cluster colour (${s.toFixed(2)})`);
    }
    const red = await share(p, { x0: 0, y0: 0, x1: 48, y1: 20 }, hex('#f14c4c'));
    assert.ok(red < 0.02, `no synapse of a cluster drawn as unclustered (${red.toFixed(2)})`);
    await p.page.context().close();
  });

  test('overlapping cluster blocks (filled and refilled crossbars): the union of their synapses, and the cells they share, each counted once (dark and light)', async () => {
    const v = mappingViewOf(run.dir);
    const l = v.layers[0];
    // Each cluster grows over the next one's outputs and inputs, as refilled crossbars do: neighbouring blocks overlap.
    const base = l.clusters.map((c) => ({ ...c }));
    l.clusters = base.map((c, k) => {
      const next = base[(k + 1) % base.length];
      return { ...c, outputs: [...c.outputs, ...next.outputs], inputs: [...c.inputs, ...next.inputs] };
    });
    const bits = unpack(l.bits, l.rows * l.cols);
    const cover = new Uint8Array(l.rows * l.cols);
    let naive = 0;
    for (const c of l.clusters)
      for (const r of c.outputs)
        for (const i of c.inputs) {
          cover[r * l.cols + i]++;
          naive += bits[r * l.cols + i];
        }
    let union = 0;
    let sharedCells = 0;
    let sharedSynapses = 0;
    cover.forEach((n, k) => {
      union += n > 0 ? bits[k] : 0;
      sharedCells += n > 1 ? 1 : 0;
      sharedSynapses += n > 1 ? bits[k] : 0;
    });
    assert.ok(naive > l.synapses && union <= l.synapses, `the planted overlap double-counts (${naive} > ${l.synapses} synapses; union ${union})`);
    for (const theme of ['dark', 'light'] as const) {
      const p = await openPanel(browser, 'mapping', { theme });
      await p.send({ type: 'show', view: v });
      await p.page.waitForSelector('#summary');
      const text = (await p.page.textContent('#summary')) ?? '';
      assert.match(text, new RegExp(`4 clusters holding ${((100 * union) / l.synapses).toFixed(1)}% of them`));
      assert.match(text, new RegExp(`${sharedCells} cells \\(${sharedSynapses} synapses\\) lie in two or more clusters' blocks, counted once`));
      await p.page.screenshot({ path: path.join(SHOTS, `mapping-overlap-${theme}.png`) });
      assert.deepEqual(p.errors, []);
      await p.page.context().close();
    }
  });

  test('24 clusters get 24 distinct colours, legible on a dark and a light background, each block drawn in its own', async () => {
    const many = plantedRun(root, [
      { blocks: 24, bRows: 4, bCols: 5, density: 0.9, noise: 0, seed: 7 },
      { blocks: 2, bRows: 20, bCols: 48, density: 0.85, noise: 0, seed: 5 },
    ], { name: '20260101-000009-many' });
    for (const [theme, bg] of [['dark', DARK_BG], ['light', hex('#ffffff')]] as const) {
      const p = await openPanel(browser, 'mapping', { theme });
      await p.send({ type: 'show', view: mappingViewOf(many.dir) });
      await p.page.waitForSelector('#summary');
      const colours = await swatches(p);
      assert.equal(colours.length, 24);
      assert.equal(new Set(colours.map((c) => c.join(','))).size, 24, `${theme}: 24 distinct colours`);
      let closest = Infinity;
      for (let a = 0; a < 24; a++) for (let b = a + 1; b < 24; b++) closest = Math.min(closest, deltaE(colours[a], colours[b]));
      assert.ok(closest >= 5, `${theme}: every two cluster colours tell apart (closest ΔE ${closest.toFixed(1)})`);
      const faint = Math.min(...colours.map((c) => deltaE(c, bg)));
      assert.ok(faint >= 30, `${theme}: every colour stands out from the background (least ΔE ${faint.toFixed(1)})`);
      const red = Math.min(...colours.map((c) => deltaE(c, hex(theme === 'dark' ? '#f14c4c' : '#e51400'))));
      assert.ok(red >= 15, `${theme}: no cluster looks like the unclustered highlight (least ΔE ${red.toFixed(1)})`);
      // Block k: display rows 4k…, columns 5k… (cluster order), 90% dense; crossbar outlines and their labels hidden.
      await p.page.evaluate(() => {
        const c = document.getElementById('tiles') as HTMLElement & { checked: boolean };
        c.checked = false;
        c.dispatchEvent(new Event('change'));
      });
      for (const k of [0, 1, 11, 22, 23]) {
        const s = await share(p, { x0: 5 * k, y0: 4 * k, x1: 5 * (k + 1), y1: 4 * (k + 1) }, colours[k], 6);
        assert.ok(s > 0.6, `${theme}: block ${k} in its colour (${s.toFixed(2)})`);
      }
      await p.page.screenshot({ path: path.join(SHOTS, `mapping-24-clusters-${theme}.png`) });
      await p.page.context().close();
    }
  });

  test('the hover readout is in view while the pointer is on the heatmap (a panel beside the editor: 700 × 700)', async () => {
    const p = await openPanel(browser, 'mapping', { width: 700, height: 700 });
    await p.send({ type: 'show', view: mappingViewOf(run.dir) });
    await p.page.waitForSelector('#summary');
    const box = (await p.page.locator('#heatmap').boundingBox())!;
    const ds = await p.page.evaluate(() => ({ ...(document.getElementById('heatmap') as HTMLCanvasElement).dataset }));
    await p.page.mouse.move(box.x + Number(ds.ox) + 15.5 * Number(ds.scale), box.y + Number(ds.oy) + 12.5 * Number(ds.scale));
    assert.match((await p.page.textContent('#hover')) ?? '', /cluster 1 \(24×30/);
    const hover = (await p.page.locator('#hover').boundingBox())!;
    assert.ok(hover.y >= 0 && hover.y + hover.height <= 700, `the readout is inside the window (${hover.y.toFixed(0)}–${(hover.y + hover.height).toFixed(0)} of 700)`);
    assert.ok(hover.y + hover.height <= box.y + 1, 'above the heatmap');
    await p.page.context().close();
  });

  test('a panel 280 px wide: no sideways scroll, the heatmap fitted inside; narrowing a wide panel fits it again, unless the user zoomed', async () => {
    const fits = (p: PanelPage, cols: number) =>
      p.page.evaluate((cols) => {
        const c = document.getElementById('heatmap') as HTMLCanvasElement;
        const r = c.getBoundingClientRect();
        const left = Number(c.dataset.ox);
        const right = left + cols * Number(c.dataset.scale);
        return { canvas: [r.left, r.right], image: [left, right], width: r.width, window: window.innerWidth };
      }, cols);
    const inside = (f: Awaited<ReturnType<typeof fits>>) => f.canvas[0] >= 0 && f.canvas[1] <= f.window + 0.5 && f.image[0] >= -0.5 && f.image[1] <= f.width + 0.5;
    const narrow = await openPanel(browser, 'mapping', { width: 280, height: 700 });
    await narrow.send({ type: 'show', view: mappingViewOf(run.dir) });
    await narrow.page.waitForSelector('#summary');
    assert.deepEqual(await sideways(narrow.page), { scrolls: false, wide: [] });
    const f = await fits(narrow, 120);
    assert.ok(inside(f), `heatmap and its image inside the window: ${JSON.stringify(f)}`);
    await narrow.page.screenshot({ path: path.join(SHOTS, 'mapping-280px.png'), fullPage: true });
    await narrow.page.context().close();

    const p = await openPanel(browser, 'mapping', { width: 1100, height: 760 });
    await p.send({ type: 'show', view: mappingViewOf(run.dir) });
    await p.page.waitForSelector('#summary');
    const wide = Number(await p.page.getAttribute('#heatmap', 'data-scale'));
    await p.page.setViewportSize({ width: 280, height: 700 });
    await p.page.waitForFunction((s) => Number(document.getElementById('heatmap')?.dataset.scale) < s, wide, { timeout: 5000 }).catch(() => undefined);
    const g = await fits(p, 120);
    assert.ok(inside(g), `fitted again after narrowing: ${JSON.stringify(g)}`);
    assert.deepEqual(await sideways(p.page), { scrolls: false, wide: [] });
    // Zoomed in: a resize keeps the user's view.
    const box = (await p.page.locator('#heatmap').boundingBox())!;
    await p.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p.page.mouse.wheel(0, -400);
    await p.page.waitForFunction((s) => Number(document.getElementById('heatmap')?.dataset.scale) > s, g.width / 120 + 0.01);
    const zoomed = Number(await p.page.getAttribute('#heatmap', 'data-scale'));
    await p.page.setViewportSize({ width: 320, height: 700 });
    await p.page.waitForTimeout(100);
    assert.equal(Number(await p.page.getAttribute('#heatmap', 'data-scale')), zoomed, 'the zoom survives a resize');
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  });

  test('the run toggle, the scheme picker and the epoch slider ask the host; malformed host messages are dropped', async () => {
    const p = await openPanel(browser, 'mapping');
    await p.send({ type: 'show', view: { key: 1 } });
    await p.send({ type: 'show', view: { ...mappingViewOf(run.dir), layers: [{ rows: 2, cols: 2, bits: 'AAAAAAAA', clusters: [], permutation: { outputs: [0, 1], inputs: [0, 1] } }] } });
    assert.equal(await p.page.locator('#summary').count(), 0, 'nothing drawn from malformed views');
    await p.send({ type: 'show', view: mappingViewOf(run.dir) });
    await p.page.waitForSelector('#summary');
    await p.page.evaluate(() => {
      const s = document.getElementById('run') as HTMLElement & { value: string };
      s.value = s.querySelector('vscode-option')!.getAttribute('value')!;
      s.dispatchEvent(new Event('change'));
      const sc = document.getElementById('scheme') as HTMLElement & { value: string };
      sc.value = 'paper';
      sc.dispatchEvent(new Event('change'));
      const e = document.getElementById('epoch') as HTMLInputElement;
      e.value = '1';
      e.dispatchEvent(new Event('change'));
    });
    const sent = (await p.posted()).filter((m) => m.type === 'select');
    assert.deepEqual(sent, [
      { type: 'select', key: path.join(cmp, '20260101-000000-original') },
      { type: 'select', key: run.dir, scheme: 'paper' },
      { type: 'select', key: run.dir, epoch: 2 },
    ]);
    // The epoch-2 snapshot: clusters drawn, no crossbars, slider label.
    await p.send({ type: 'show', view: mappingViewOf(run.dir, { epoch: 2 }) });
    await p.page.waitForFunction(() => document.getElementById('epoch-label')?.textContent?.includes('epoch 2'));
    assert.match((await p.page.textContent('#summary')) ?? '', /no crossbar placements/);
    await p.send({ type: 'error', message: 'x: no connectivity snapshot for epoch 9' });
    assert.match((await p.page.textContent('#error')) ?? '', /epoch 9/);
    assert.ok(p.errors.length === 0, p.errors.join('\n'));
    await p.page.context().close();
  });
});
