// The command table: ids match package.json "contributes.commands".
import * as vscode from 'vscode';
import type { RunSummary } from '../protocol/webview-messages';
import type { TrainingController } from '../training/training-controller';
import { exportTrainingJobCommand } from './export-training-job';
import { mergeAdapterCommand } from './merge-adapter';
import { newExperimentCommand } from './new-experiment';
import { newExperimentFromHfCommand } from './new-experiment-from-hf';
import { previewAllocationCommand } from './preview-allocation';
import { resumeTrainingCommand } from './resume-training';
import { startTrainingCommand, stopTrainingCommand } from './start-training';

export interface CommandContext {
  extensionUri: vscode.Uri;
  workerPath: string;
  /** dist/plan-worker.js: the allocation preview's process. */
  planWorkerPath: string;
  controller: TrainingController;
  log: vscode.OutputChannel;
  listRuns(): Promise<RunSummary[]>;
  openDashboardInEditor(): void;
}

export function registerCommands(c: CommandContext): vscode.Disposable[] {
  const table: Record<string, (...args: never[]) => unknown> = {
    'thanora.startTraining': startTrainingCommand(c.controller, c.extensionUri),
    'thanora.stopTraining': stopTrainingCommand(c.controller),
    'thanora.resumeTraining': resumeTrainingCommand(c.controller, c.listRuns),
    'thanora.openDashboard': () => vscode.commands.executeCommand('thanora.dashboard.focus'),
    'thanora.openDashboardInEditor': () => c.openDashboardInEditor(),
    'thanora.mergeAdapter': mergeAdapterCommand(c.workerPath, c.log, c.listRuns),
    'thanora.newExperiment': newExperimentCommand(c.extensionUri),
    'thanora.newExperimentFromHf': newExperimentFromHfCommand(),
    'thanora.previewAllocation': previewAllocationCommand(c.extensionUri, c.planWorkerPath, c.log),
    'thanora.exportTrainingJob': exportTrainingJobCommand(c.workerPath, c.log),
  };
  return Object.entries(table).map(([id, run]) => vscode.commands.registerCommand(id, run));
}
