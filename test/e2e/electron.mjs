// The second e2e runner: the extension tests of test/e2e/suite/ inside a
// desktop VS Code through @vscode/test-electron (`npm run test:e2e:electron`;
// downloads VS Code, so it needs that network access). The workspace is a
// fresh copy of examples/. The browser suite (`npm run test:e2e`) is run.mjs.
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const workspace = mkdtempSync(path.join(tmpdir(), 'trannsformer-e2e-'));
cpSync(path.join(root, 'examples'), workspace, { recursive: true });
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'dist', 'test', 'e2e.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(`extension tests did not pass or could not start: ${e?.message ?? e}`);
  process.exit(1);
}
