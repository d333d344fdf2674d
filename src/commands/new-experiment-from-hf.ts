// ThanoRA: New Experiment from Hugging Face Model… — pick a model folder (config.json, safetensors,
// tokenizer.json), import it into <workspace>/<model name>/ (weights hard-linked, referenced or converted
// once), write example tasks and a thanora.json with defaults that run, and open it.
import * as path from 'path';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { createHfExperiment } from '../core/experiment/hf-experiment';
import { requireTrust } from './require-trust';

function freeFolder(parent: string, name: string): string {
  let target = path.join(parent, name);
  for (let i = 2; fs.existsSync(target); i++) target = path.join(parent, `${name}-${i}`);
  return target;
}

/** `modelFolder` lets callers (tests, other commands) skip the folder picker. */
export function newExperimentFromHfCommand() {
  return async (modelFolder?: vscode.Uri): Promise<vscode.Uri | undefined> => {
    const workspace = vscode.workspace.workspaceFolders?.[0];
    if (!workspace) {
      void vscode.window.showWarningMessage('ThanoRA: open a folder first; the experiment is created inside it.');
      return undefined;
    }
    if (!requireTrust('Importing a model')) return undefined;
    const picked =
      modelFolder instanceof vscode.Uri
        ? modelFolder
        : (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Import Model', title: 'Hugging Face model folder (config.json, model.safetensors, tokenizer.json)' }))?.[0];
    if (!picked) return undefined;
    const target = freeFolder(workspace.uri.fsPath, path.basename(picked.fsPath).replace(/[^\w.-]+/g, '-') || 'model');
    try {
      const created = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `ThanoRA: importing ${path.basename(picked.fsPath)}`, cancellable: false },
        (progress) => {
          let reported = 0;
          return createHfExperiment(picked.fsPath, target, {
            onProgress: (done, total) => {
              const percent = Math.floor((100 * done) / total);
              if (percent > reported) progress.report({ message: `converting weights ${percent}%`, increment: percent - reported });
              reported = percent;
            },
          });
        },
      );
      const uri = vscode.Uri.file(created.experimentFile);
      await vscode.window.showTextDocument(uri, { preview: false });
      const weights = created.model.weightFiles.map((w) => `${w.location} (${w.how})`).join(', ');
      void vscode.window.showInformationMessage(
        `ThanoRA: imported ${created.className} into ${path.relative(workspace.uri.fsPath, target)}: weights ${weights}. The example tasks are ${created.dataFormat} data; replace them with yours.`,
      );
      return uri;
    } catch (e) {
      // The folder did not exist before; what an interrupted import left there (links, copies) goes.
      fs.rmSync(target, { recursive: true, force: true });
      void vscode.window.showErrorMessage(`ThanoRA: cannot import ${picked.fsPath}: ${(e as Error).message}`);
      return undefined;
    }
  };
}
