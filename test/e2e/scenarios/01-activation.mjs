// A workspace with the example configs opens; the extension activates; the
// activity-bar container with its Runs and Run Details views appears; every
// command the manifest puts in the palette (in this state) is there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from '../harness.mjs';

export default {
  name: 'activation, views and commands',
  timeout: 180_000,
  async run({ editor, step, log }) {
    await step('container and views', async () => {
      await editor.openContainer();
      await editor.page.locator('.part.sidebar .pane-header', { hasText: 'Run Details' }).waitFor({ state: 'visible' });
    });
    await step('runs tree welcome', async () => {
      // No runs yet: the welcome content with its buttons.
      await editor.page.locator('.part.sidebar .welcome-view-content', { hasText: 'No runs yet' }).waitFor({ state: 'visible' });
    });
    await step('the extension is active (its log)', async () => {
      await editor.command('TraNNsformer: Show Log');
      await editor.page.locator('.part.panel .view-lines', { hasText: 'activated; runs folder' }).waitFor({ state: 'visible', timeout: 30_000 });
    });
    await step('every command in the palette', async () => {
      const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
      const hidden = new Map((manifest.contributes.menus.commandPalette ?? []).map((m) => [m.command, m.when]));
      // In this state: trusted, no runs, nothing running.
      const state = { false: false, isWorkspaceTrusted: true, 'trannsformer.running': false, 'trannsformer.hasRuns': false };
      const rows = await editor.palette('TraNNsformer: ');
      log(`palette rows: ${JSON.stringify(rows)}`);
      for (const c of manifest.contributes.commands) {
        const when = hidden.get(c.command);
        const shown = when === undefined ? true : state[when];
        assert.notEqual(shown, undefined, `the test does not know the palette condition "${when}" of ${c.command}`);
        const label = `${c.category}: ${c.title}`;
        const present = rows.some((r) => r.startsWith(label));
        assert.equal(present, shown, `${label} ${shown ? 'missing from' : 'shown in'} the palette (when: ${when ?? 'always'})`);
      }
      await editor.closeQuickInput();
    });
  },
};
