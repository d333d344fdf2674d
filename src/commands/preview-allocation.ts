// ThanoRA: Preview Rank Allocation — from the CodeLens on a thanora.json, the explorer, or the palette: runs
// `thanora plan` in a worker (cancellable from the notification) and shows it in the allocation panel.
import * as vscode from 'vscode';
import { planInWorker } from '../training/plan-in-worker';
import { AllocationPanel } from '../views/allocation-panel';
import { requireTrust } from './require-trust';
import { pickExperiment } from './start-training';

export function previewAllocationCommand(extensionUri: vscode.Uri, planWorkerPath: string, log: vscode.OutputChannel) {
  const running = new Map<string, AbortController>();
  const preview = async (uri?: vscode.Uri): Promise<void> => {
    // It loads the model and data with native code and writes the cache into the workspace.
    if (!requireTrust('Previewing the rank allocation')) return;
    const experiment = uri instanceof vscode.Uri ? uri : await pickExperiment(extensionUri, 'ThanoRA: Preview Rank Allocation', 'Experiment file to preview');
    if (!experiment) return;
    await vscode.workspace.save(experiment).then(undefined, () => undefined);
    const file = experiment.fsPath;
    const panel = AllocationPanel.show(extensionUri, file, () => void preview(experiment));
    running.get(file)?.abort();
    const controller = new AbortController();
    running.set(file, controller);
    panel.post({ type: 'planning', experiment: file, message: 'loading the experiment' });
    try {
      const plan = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'ThanoRA: previewing the rank allocation', cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          const request = { type: 'plan' as const, experimentFile: file, workspaceRoot: vscode.workspace.getWorkspaceFolder(experiment)?.uri.fsPath };
          return planInWorker(planWorkerPath, request, (line) => {
            progress.report({ message: line });
            panel.post({ type: 'planning', experiment: file, message: line });
          }, controller.signal);
        },
      );
      panel.post({ type: 'plan', plan });
      log.appendLine(`allocation preview of ${file}: ${(plan.timings.totalMs / 1000).toFixed(1)} s, spectra of ${plan.cache?.spectra.hits ?? 0}/${plan.modules.length} modules from the cache`);
    } catch (e) {
      if (controller.signal.aborted && running.get(file) !== controller) return;
      const error = (e as Error).message;
      panel.post({ type: 'planFailed', experiment: file, error });
      log.appendLine(`allocation preview of ${file} failed: ${error}`);
    } finally {
      if (running.get(file) === controller) running.delete(file);
    }
  };
  return preview;
}
