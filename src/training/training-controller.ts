// One training at a time, in a forked worker: status bar item, output channel, a progress notification
// with Cancel (= cooperative stop), and a change event for context keys and the run list. The dashboards read
// the run folders themselves: the trainer's events reach them only through metrics.jsonl.
import * as path from 'path';
import * as vscode from 'vscode';
import type { RunEvent } from '../protocol/run-events';
import { describePhase, phaseName } from '../protocol/run-phases';
import type { StartTrainingRequest } from '../protocol/worker-messages';
import { threadCountProblem } from '../core/runtime/thread-count';
import { chooseDevice, describeRunDevice } from './device-choice';
import { readExperimentFields } from './experiment-file-fields';
import { firstLocation } from './experiment-problems';
import { TrainingWorkerClient, type TrainingOutcome } from './training-worker-client';
import { RunFailureDiagnostics } from '../views/run-failure-diagnostics';

export interface TrainingStart {
  experimentFile: string;
  resumeFrom?: string;
}

export class TrainingController implements vscode.Disposable {
  private client?: TrainingWorkerClient;
  /** The running run's start event: total steps for the progress notification. */
  private lastStart?: Extract<RunEvent, { type: 'start' }>;
  private readonly statusBar = vscode.window.createStatusBarItem('thanora.training', vscode.StatusBarAlignment.Left, 10);
  private readonly changed = new vscode.EventEmitter<void>();
  /** The last failure's file:line problems (data lines, fields), in the Problems panel until the next start. */
  private readonly failureProblems = new RunFailureDiagnostics();
  private readonly disposables: vscode.Disposable[] = [this.statusBar, this.changed, this.failureProblems];
  readonly onDidChange = this.changed.event;

  constructor(private readonly workerPath: string, private readonly log: vscode.OutputChannel) {
    this.statusBar.name = 'ThanoRA Training';
    this.statusBar.command = 'thanora.openDashboard';
  }

  get running(): boolean {
    return this.client?.running ?? false;
  }

  get activeRunDir(): string | undefined {
    return this.running ? this.client?.currentRunDir : undefined;
  }

  start(start: TrainingStart): void {
    if (this.running) throw new Error('A training run is already in progress; stop it first (ThanoRA: Stop Training).');
    const settings = vscode.workspace.getConfiguration('thanora');
    const threadsProblem = threadCountProblem(settings.get<number>('threads', 0), 'the setting thanora.threads');
    if (threadsProblem) {
      void vscode.window.showErrorMessage(`ThanoRA: ${threadsProblem}.`);
      return;
    }
    const setDevice = settings.inspect<string>('device');
    const device = chooseDevice(
      setDevice?.workspaceFolderValue ?? setDevice?.workspaceValue ?? setDevice?.globalValue,
      readExperimentFields(start.experimentFile).device,
      path.basename(start.experimentFile),
    );
    const request: StartTrainingRequest = {
      type: 'start',
      experimentFile: start.experimentFile,
      resumeFrom: start.resumeFrom,
      ...(device.override ? { device: device.override } : {}),
      threads: settings.get<number>('threads', 0),
      workspaceRoot: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(start.experimentFile))?.uri.fsPath,
    };
    this.failureProblems.clear();
    this.log.appendLine(`[${new Date().toISOString()}] ${start.resumeFrom ? `resume ${start.resumeFrom}` : `train ${start.experimentFile}`} (device ${device.device} from ${device.source})`);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'ThanoRA', cancellable: true },
      (progress, cancel) =>
        new Promise<void>((resolve) => {
          cancel.onCancellationRequested(() => this.stop());
          let lastFraction = 0;
          // Each phase is logged once, as it begins.
          let lastPhase: string | undefined;
          const client = new TrainingWorkerClient(this.workerPath, request, {
            onEvent: (event, runDir) => {
              if (event.type === 'start') this.changed.fire();
              if (event.type === 'phase') {
                // The data check comes before the run folder exists: the experiment file names the run then.
                const run = runDir || start.experimentFile;
                if (event.phase !== lastPhase) this.log.appendLine(`[${event.time}] ${path.basename(run)}: ${phaseName(event.phase)}`);
                lastPhase = event.phase;
                progress.report({ message: `${path.basename(run)}: ${describePhase(event)}` });
                this.showStatus('$(sync~spin) ThanoRA preparing…', `Preparing ${run}: ${describePhase(event)}`);
              }
              if (event.type === 'step') {
                const start = this.lastStart;
                const total = start?.totalSteps ?? 0;
                const fraction = total > 0 ? event.step / total : 0;
                progress.report({ message: `${path.basename(runDir)}: step ${event.step}/${total}, loss ${event.loss.toFixed(4)}`, increment: Math.max(0, (fraction - lastFraction) * 100) });
                lastFraction = fraction;
                this.showStatus(`$(sync~spin) ThanoRA ${event.step}/${total}`, `Training ${runDir}\nloss ${event.loss.toFixed(4)} · ${Math.round(event.tokensPerSecond)} tokens/s`);
              }
              if (event.type === 'start') {
                this.lastStart = event;
                this.log.appendLine(describeRunDevice(device, event));
              }
              if (event.type === 'warning') void vscode.window.showWarningMessage(`ThanoRA: ${event.message}`);
            },
            onLog: (line) => this.log.append(line),
            onExit: (outcome) => {
              this.finish(outcome);
              resolve();
            },
          });
          this.client = client;
          this.showStatus('$(sync~spin) ThanoRA starting…', `Starting ${start.experimentFile}`);
          this.changed.fire();
        }),
    );
  }

  stop(): void {
    if (!this.client?.running) return;
    this.log.appendLine('stop requested: finishing the current step and writing a checkpoint');
    this.showStatus('$(debug-stop) ThanoRA stopping…', 'Waiting for the trainer to checkpoint');
    this.client.stop();
  }

  dispose(): void {
    // The window is closing: the worker cannot outlive the host's IPC, and a stop would not be awaited.
    this.client?.kill();
    for (const d of this.disposables) d.dispose();
  }

  private finish(outcome: TrainingOutcome): void {
    const where = outcome.runDir ? ` (${outcome.runDir})` : '';
    this.log.appendLine(`training ${outcome.state}${where}${outcome.error ? `: ${outcome.error}` : ''}`);
    this.statusBar.hide();
    this.changed.fire();
    if (outcome.state === 'diverged') {
      void vscode.window.showWarningMessage(`ThanoRA training stopped because it diverged${where}: ${outcome.error}`, 'Show Log').then((choice) => choice && this.log.show());
    } else if (outcome.state === 'failed') {
      void this.reportFailure(`ThanoRA training failed${where}: ${outcome.error ?? 'see the ThanoRA output'}`, outcome.error ?? '');
    } else {
      void this.offerNext(outcome.state, outcome.runDir);
    }
  }

  /** A failure that names a file:line (a thanora.json field, a data line) offers to open it there; all of them are in the Problems panel. */
  private async reportFailure(message: string, error: string): Promise<void> {
    const location = firstLocation(error);
    this.failureProblems.show(error);
    const open = 'Open';
    const showLog = 'Show Log';
    const choice = await vscode.window.showErrorMessage(message, ...(location ? [open] : []), showLog);
    if (choice === showLog) this.log.show();
    if (choice === open && location) {
      const position = new vscode.Position(location.line - 1, location.column - 1);
      await vscode.window.showTextDocument(vscode.Uri.file(location.file), { selection: new vscode.Range(position, position), preview: false });
    }
  }

  /** A finished or stopped run: what the user does next is one click away. */
  private async offerNext(state: 'finished' | 'stopped', runDir: string | undefined): Promise<void> {
    const dashboard = 'Open Dashboard';
    const merge = 'Merge';
    const resume = 'Resume';
    const actions = runDir ? [dashboard, merge, ...(state === 'stopped' ? [resume] : [])] : [dashboard];
    const choice = await vscode.window.showInformationMessage(`ThanoRA training ${state}${runDir ? ` (${path.basename(runDir)})` : ''}.`, ...actions);
    if (choice === dashboard) await vscode.commands.executeCommand('thanora.openDashboard');
    if (choice === merge && runDir) await vscode.commands.executeCommand('thanora.mergeAdapter', vscode.Uri.file(runDir));
    if (choice === resume && runDir) await vscode.commands.executeCommand('thanora.resumeTraining', vscode.Uri.file(runDir));
  }

  private showStatus(text: string, tooltip: string): void {
    this.statusBar.text = text;
    this.statusBar.tooltip = tooltip;
    this.statusBar.show();
  }
}
