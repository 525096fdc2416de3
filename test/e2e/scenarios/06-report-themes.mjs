// Open the report of a finished run beside its config, and read it in Dark
// Modern, Light Modern and Dark High Contrast: every text (HTML and SVG)
// meets WCAG contrast against the background it is drawn on.
import assert from 'node:assert/strict';
import { until, writeConfig } from '../harness.mjs';
import { measureContrast } from '../contrast.mjs';

const THEMES = [
  { name: 'Dark Modern', workbench: 'vs-dark' },
  { name: 'Light Modern', workbench: 'vs' },
  { name: 'Dark High Contrast', workbench: 'hc-black' },
];

export default {
  name: 'report beside the config, readable in three themes',
  timeout: 240_000,
  async run({ editor, step, log }) {
    await step('open the report beside the config', async () => {
      writeConfig(editor, 'tiny', { epochs: 2, trainLimit: 2000 });
      editor.cli(['run', 'tiny.trannsformer.json']);
      await editor.openFile('tiny.trannsformer.json');
      await editor.openContainer();
      const row = editor.runsRow('tiny ·');
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.hover();
      await row.locator('.actions .action-label[aria-label^="Open Report"]').click();
      await editor.waitWebview('the report', [/tiny/, /mPEs/], 30_000);
      const groups = editor.page.locator('.part.editor .editor-group-container');
      await until('two editor groups: the config and the report beside it', async () => (await groups.count()) === 2, { timeout: 10_000 });
      assert.match(await groups.nth(0).locator('.tab.active').innerText(), /tiny\.trannsformer\.json/);
      assert.match(await groups.nth(1).locator('.tab.active').innerText(), /Report/);
    });
    const failures = [];
    for (const theme of THEMES) {
      await step(`contrast in ${theme.name}`, async () => {
        await editor.setTheme(theme.name);
        await until(`the workbench in ${theme.name}`, () => editor.page.locator(`.monaco-workbench.${theme.workbench}`).count(), { timeout: 20_000 });
        await editor.page.waitForTimeout(1000); // the webview receives the theme's variables
        const frame = await editor.webviewFrame(/mPEs/);
        assert.ok(frame, 'the report webview');
        const m = await frame.evaluate(measureContrast);
        assert.ok(m.items.length > 10, `the report has text (${m.items.length} items)`);
        const bad = m.items.filter((i) => i.ratio < i.need);
        const worst = [...m.items].sort((a, b) => a.ratio - b.ratio).slice(0, 3);
        log(`${theme.name}: body "${m.bodyClass}", editor background rgb(${m.base}); ${m.items.length} texts, ${bad.length} below the minimum; lowest: ${worst.map((i) => `${i.ratio} "${i.text}"`).join(', ')}`);
        for (const b of bad.slice(0, 5)) failures.push(`${theme.name}: <${b.tag}> "${b.text}" ${b.ratio}:1 (needs ${b.need}; text rgb(${b.fg}) on rgb(${b.bg}))`);
        if (bad.length > 5) failures.push(`${theme.name}: … and ${bad.length - 5} more`);
      });
    }
    if (failures.length) assert.fail(`text below WCAG contrast:\n${failures.join('\n')}`);
  },
};
