/** Activation: build the one owner object and nothing else. Failures are shown, then rethrown. */
import * as vscode from 'vscode';
import { Studio } from './studio';

let studio: Studio | undefined;

export function activate(context: vscode.ExtensionContext): Studio {
  try {
    studio = new Studio(context);
    return studio;
  } catch (e) {
    void vscode.window.showErrorMessage(`TraNNsformer Studio failed to start: ${(e as Error).message}`);
    throw e;
  }
}

export async function deactivate(): Promise<void> {
  await studio?.dispose();
  studio = undefined;
}
