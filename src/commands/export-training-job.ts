// ThanoRA: Export Training Job… — on a thanora.json (explorer menu or picked): where the Hugging Face model
// is (the imported model's own folder, or one the user picks), the new job folder (default
// <experiment>/jobs/job-<time>), then core export-job in a worker; the result offers the job's README.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { exportJobInWorker } from '../training/worker-jobs';
import { requireTrust } from './require-trust';

async function pickExperiment(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/thanora.json', '**/node_modules/**');
  if (files.length === 1) return files[0].fsPath;
  const picked = await vscode.window.showQuickPick(
    files.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f.fsPath })),
    { title: 'ThanoRA: Export Training Job — experiment', placeHolder: files.length === 0 ? 'no thanora.json in this workspace' : undefined },
  );
  return picked?.file;
}

/** undefined: the imported model's folder; null: cancelled. */
async function pickHfModel(): Promise<string | undefined | null> {
  const imported = { label: 'The imported model', description: 'the experiment\'s model was made by "New Experiment from Hugging Face Model…" or `thanora import`' };
  const choose = { label: 'Choose a Hugging Face folder…', description: 'config.json and *.safetensors of the base model' };
  const picked = await vscode.window.showQuickPick([imported, choose], { title: 'ThanoRA: Export Training Job — the Hugging Face model train.py loads' });
  if (!picked) return null;
  if (picked === imported) return undefined;
  const folder = (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use This Model', title: 'Hugging Face model folder' }))?.[0];
  return folder ? folder.fsPath : null;
}

function jobTime(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

async function pickOutDir(experimentFile: string): Promise<string | undefined> {
  const value = path.join(path.dirname(experimentFile), 'jobs', `job-${jobTime()}`);
  return vscode.window.showInputBox({
    title: 'ThanoRA: Export Training Job — new job folder',
    value,
    valueSelection: [value.length - path.basename(value).length, value.length],
    validateInput: (dir) => {
      if (!path.isAbsolute(dir)) return 'give an absolute path';
      if (fs.existsSync(dir) && (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0)) return `${dir} exists and is not an empty folder; name a new one`;
      return undefined;
    },
  });
}

/** `experiment` (a thanora.json) comes from the explorer menu; otherwise it is picked. */
export function exportTrainingJobCommand(workerPath: string, log: vscode.OutputChannel) {
  return async (experiment?: vscode.Uri): Promise<void> => {
    if (!requireTrust('Exporting a training job')) return;
    const experimentFile = experiment instanceof vscode.Uri ? experiment.fsPath : await pickExperiment();
    if (!experimentFile) return;
    const hfModel = await pickHfModel();
    if (hfModel === null) return;
    const outDir = await pickOutDir(experimentFile);
    if (!outDir) return;
    log.appendLine(`[${new Date().toISOString()}] export-job ${experimentFile} -> ${outDir}${hfModel ? ` (Hugging Face model ${hfModel})` : ''}`);
    try {
      const job = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ThanoRA: exporting ${path.basename(path.dirname(experimentFile))} as a training job`, cancellable: true }, (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        progress.report({ message: 'initializing the method (HASI) and writing the job…' });
        return exportJobInWorker(workerPath, { type: 'exportJob', experimentFile, outDir, hfModel }, (line) => log.append(line), abort.signal);
      });
      log.appendLine(`training job written: ${job.dir} (${job.files} files, ${job.totalSteps} steps)`);
      const readme = 'Open README';
      const reveal = 'Reveal in Explorer';
      const choice = await vscode.window.showInformationMessage(
        `ThanoRA: training job written to ${vscode.workspace.asRelativePath(job.dir)} (${job.totalSteps} steps). Launch it with accelerate (see its README); sync it back and run \`thanora import-run\` to see it here.`,
        readme,
        reveal,
      );
      if (choice === readme) await vscode.window.showTextDocument(vscode.Uri.file(job.readmeFile));
      if (choice === reveal) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(job.dir));
    } catch (e) {
      log.appendLine(`export-job failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`ThanoRA: export failed: ${(e as Error).message}`, 'Show Log').then((c) => c && log.show());
    }
  };
}
