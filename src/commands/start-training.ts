// ThanoRA: Start Training — on a thanora.json from the explorer, or picked from the workspace (offering the
// demo experiment when there is none).
import * as path from 'path';
import * as vscode from 'vscode';
import type { TrainingController } from '../training/training-controller';
import { findExperimentFiles } from '../training/runs-roots';
import { describeDemoTasks } from './new-experiment';
import { requireTrust } from './require-trust';

/**
 * The thanora.json being edited, the only one in the workspace, or one the user picks (`title` names the action);
 * with none, offers the bundled demo (`extensionUri` locates it).
 */
export async function pickExperiment(extensionUri: vscode.Uri, title = 'ThanoRA: Start Training', placeHolder = 'Experiment file to train'): Promise<vscode.Uri | undefined> {
  // The experiment being edited is the one the user means.
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && path.basename(active.fsPath) === 'thanora.json') return active;
  const files = await findExperimentFiles();
  if (files.length === 0) {
    const create = 'Create Demo Experiment';
    const choice = await vscode.window.showInformationMessage(`No thanora.json in this workspace. Create the demo experiment (${describeDemoTasks(extensionUri)} on a tiny LLaMA)?`, create);
    if (choice !== create) return undefined;
    return vscode.commands.executeCommand<vscode.Uri | undefined>('thanora.newExperiment');
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), description: path.dirname(uri.fsPath), uri })),
    { title, placeHolder },
  );
  return picked?.uri;
}

export function startTrainingCommand(controller: TrainingController, extensionUri: vscode.Uri) {
  return async (uri?: vscode.Uri): Promise<void> => {
    if (!requireTrust('Training')) return;
    if (controller.running) {
      void vscode.window.showWarningMessage('ThanoRA: a training run is already in progress. Stop it first (ThanoRA: Stop Training).');
      return;
    }
    const experiment = uri instanceof vscode.Uri ? uri : await pickExperiment(extensionUri);
    if (!experiment) return;
    await vscode.workspace.save(experiment).then(undefined, () => undefined);
    controller.start({ experimentFile: experiment.fsPath });
    await vscode.commands.executeCommand('thanora.dashboard.focus');
  };
}

export function stopTrainingCommand(controller: TrainingController) {
  return (): void => {
    if (!controller.running) {
      void vscode.window.showInformationMessage('ThanoRA: no training is running.');
      return;
    }
    controller.stop();
  };
}
