// ThanoRA: Resume Training — continues a stopped, failed or interrupted run from its last checkpoint (or a given
// checkpoint folder), in the same run folder.
import * as path from 'path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../protocol/run-events';
import type { RunSummary } from '../protocol/webview-messages';
import type { TrainingController } from '../training/training-controller';
import { readRunStatus } from '../core/run-folder';
import { resumableStates } from '../views/run-folder-context';
import { requireTrust } from './require-trust';

export function resumeTrainingCommand(controller: TrainingController, listRuns: () => Promise<RunSummary[]>) {
  return async (uri?: vscode.Uri): Promise<void> => {
    if (!requireTrust('Training')) return;
    if (controller.running) {
      void vscode.window.showWarningMessage('ThanoRA: a training run is already in progress. Stop it first.');
      return;
    }
    let target = uri instanceof vscode.Uri ? uri.fsPath : undefined;
    if (!target) {
      const resumable = (await listRuns()).filter((r) => resumableStates.includes(r.state));
      if (resumable.length === 0) {
        void vscode.window.showInformationMessage('ThanoRA: no stopped, failed or interrupted run to resume.');
        return;
      }
      const picked = await vscode.window.showQuickPick(
        resumable.map((r) => ({ label: `${r.label} · ${r.runId}`, description: `${r.state} at step ${r.step}/${r.totalSteps}`, detail: r.runDir, runDir: r.runDir })),
        { title: 'ThanoRA: Resume Training', placeHolder: 'Run to resume from its last checkpoint' },
      );
      target = picked?.runDir;
    }
    if (!target) return;
    // A checkpoint folder is <run>/checkpoints/step-N; the run's own config.json is the experiment.
    const runDir = path.basename(path.dirname(target)) === RUN_FILES.checkpoints ? path.dirname(path.dirname(target)) : target;
    const state = readRunStatus(runDir)?.state;
    if (state && !resumableStates.includes(state)) {
      const why = state === 'running' ? 'is still running' : `has ${state}`;
      void vscode.window.showInformationMessage(`ThanoRA: ${path.basename(runDir)} ${why}; only stopped, failed or interrupted runs can be resumed. Start a new run instead.`);
      return;
    }
    controller.start({ experimentFile: path.join(runDir, RUN_FILES.config), resumeFrom: target });
    await vscode.commands.executeCommand('thanora.dashboard.focus');
  };
}
