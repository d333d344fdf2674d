// ThanoRA Studio: activate wires the pieces together; each lives in its own folder.
import * as vscode from 'vscode';
import { registerCommands } from './commands/register-commands';
import { listRuns } from './core/run-folder';
import { generateInWorker } from './training/worker-jobs';
import { experimentGlob, findRunsRoots } from './training/runs-roots';
import { TrainingController } from './training/training-controller';
import { DashboardViewProvider, dashboardViewId } from './views/dashboard-view-provider';
import { ExperimentDiagnostics } from './views/experiment-diagnostics';
import { ExperimentCodeLensProvider, experimentSelector } from './views/experiment-code-lens';
import { setRunFoldersContext, setTrainingContext } from './views/run-folder-context';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('ThanoRA');
  const workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;
  const planWorkerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'plan-worker.js').fsPath;
  const controller = new TrainingController(workerPath, log);
  const dashboard = new DashboardViewProvider(context.extensionUri, {
    findRunsRoots,
    training: () => ({ running: controller.running, runDir: controller.activeRunDir }),
    onRunsChanged: (runs) => void setRunFoldersContext(runs),
    generate: (request, signal) => {
      const settings = vscode.workspace.getConfiguration('thanora');
      log.appendLine(`[${new Date().toISOString()}] playground: ${request.tuned ?? 'best'} of ${request.runDir}, ${request.decoding.kind}`);
      return generateInWorker(workerPath, { type: 'generate', ...request, device: settings.get('device', 'auto'), threads: settings.get<number>('threads', 0) }, (line) => log.append(line), signal);
    },
  });
  const refreshSoon = debounce(() => void dashboard.refresh(controller.activeRunDir), 500);
  const statusWatcher = vscode.workspace.createFileSystemWatcher('**/status.json');
  // An experiment's `output` decides where its runs are listed from; an edit can move it, break it or fix it.
  const experimentWatcher = vscode.workspace.createFileSystemWatcher(experimentGlob);

  context.subscriptions.push(
    log,
    controller,
    dashboard,
    statusWatcher,
    experimentWatcher,
    vscode.window.registerWebviewViewProvider(dashboardViewId, dashboard),
    new ExperimentDiagnostics(),
    ...registerCommands({ extensionUri: context.extensionUri, workerPath, planWorkerPath, controller, log, listRuns: async () => listRuns(await findRunsRoots()), openDashboardInEditor: () => dashboard.openInEditor() }),
    vscode.languages.registerCodeLensProvider(experimentSelector, new ExperimentCodeLensProvider()),
    controller.onDidChange(() => {
      void setTrainingContext(controller.running);
      // Start and Stop follow the trainer at once; the run list (a folder scan) follows shortly after.
      dashboard.postHostState();
      refreshSoon();
    }),
    statusWatcher.onDidCreate(refreshSoon),
    statusWatcher.onDidChange(refreshSoon),
    statusWatcher.onDidDelete(refreshSoon),
    experimentWatcher.onDidCreate(refreshSoon),
    experimentWatcher.onDidChange(refreshSoon),
    experimentWatcher.onDidDelete(refreshSoon),
    vscode.workspace.onDidGrantWorkspaceTrust(() => dashboard.postHostState()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('thanora.runsFolder') && refreshSoon()),
  );
  // Context keys for explorer menus, before the dashboard is ever opened.
  void findRunsRoots().then((roots) => setRunFoldersContext(listRuns(roots)));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions (the controller kills a running worker).
}

function debounce(run: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
}
