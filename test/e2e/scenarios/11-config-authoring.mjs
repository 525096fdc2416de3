// Config authoring (issue 11): type a wrong first layer into a config, see
// the squiggle with the engine's message in the Problems panel, apply the
// quick fix, see it gone; hover the layers for the dense mapping and the
// preset's area; the CodeLens (Run · Compare modes) sits above the config.
import assert from 'node:assert/strict';
import { until } from '../harness.mjs';

const FILE = 'quick-mnist.trannsformer.json';

export default {
  name: 'config diagnostics, quick fix, hover and CodeLens',
  timeout: 180_000,
  async run({ editor, step, log }) {
    const page = editor.page;
    const problems = () => page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    const editorLines = page.locator('.part.editor .editor-group-container.active .view-lines');

    await step('open the config; no problems of ours', async () => {
      await editor.openFile(FILE);
      await editorLines.waitFor({ state: 'visible' });
      await editor.command('View: Focus Problems (Errors, Warnings, Infos)');
      await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 20_000 });
      const rows = await problems();
      assert.deepEqual(rows.filter((r) => /trannsformer/.test(r)), [], `problems at start: ${rows.join(' | ')}`);
    });

    await step('CodeLens above the config: Run and Compare modes', async () => {
      const lens = page.locator('.part.editor .editor-group-container.active .codelens-decoration');
      // The lens comes once the extension has activated (workspaceContains), which takes longer on a busy machine.
      await until('the CodeLens to appear', async () => /Run/.test((await lens.allInnerTexts()).join(' ')) && /Compare modes/.test((await lens.allInnerTexts()).join(' ')), { timeout: 60_000 });
      log(`codelens: ${(await lens.allInnerTexts()).join(' | ')}`);
    });

    await step('type a wrong first layer: 783', async () => {
      // Double-click the first layer's size (selects the number) and type over it, as a user would.
      await editorLines.locator('span', { hasText: /^784$/ }).first().dblclick();
      await page.keyboard.type('783');
      await editorLines.filter({ hasText: '[783, 300' }).waitFor({ state: 'visible' });
    });

    await step('the squiggle and the message', async () => {
      await until('the layer problem in the Problems panel', async () => (await problems()).some((r) => /is 783, but dataset "mnist" has 784 inputs/.test(r)), { timeout: 20_000 });
      const squiggle = page.locator('.part.editor .editor-group-container.active .squiggly-error');
      await until('an error squiggle in the editor', async () => (await squiggle.count()) > 0, { timeout: 10_000 });
      log(`problems: ${(await problems()).join(' | ')}`);
    });

    await step('apply the quick fix', async () => {
      // The cursor is right after "783": ask for quick fixes there.
      await page.keyboard.press('ArrowLeft');
      await editor.command('Quick Fix...');
      const action = page.locator('.action-widget .monaco-list-row', { hasText: 'Set the first layer to 784' });
      await action.waitFor({ state: 'visible', timeout: 10_000 });
      // The widget takes the keyboard (a pointer block covers it): move to the fix and press Enter.
      for (let i = 0; i < 5 && !/\bfocused\b/.test((await action.getAttribute('class')) ?? ''); i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    });

    await step('the problem is gone', async () => {
      await editorLines.filter({ hasText: '[784, 300' }).waitFor({ state: 'visible' });
      // Not just "the row is gone": the panel says there is nothing left (ours and VS Code's JSON support alike).
      await page.locator('.markers-panel').getByText('No problems have been detected in the workspace.').waitFor({ state: 'visible', timeout: 20_000 });
      assert.deepEqual(await problems(), []);
    });

    await step('hover the layers: dense mPEs and the preset area', async () => {
      const token = page.locator('.part.editor .editor-group-container.active .view-lines span', { hasText: /^784$/ }).first();
      await token.hover();
      const hover = page.locator('.monaco-hover-content');
      await until('the hover with the dense mapping', async () => {
        const t = (await hover.allInnerTexts()).join('\n');
        return /Dense mapping on 64×64 crossbars/.test(t) && /mPEs/.test(t) && /resparc-45nm/.test(t) && /mm²/.test(t) ? t : undefined;
      }, { timeout: 15_000 }).then((t) => log(`hover:\n${t}`));
    });
  },
};
