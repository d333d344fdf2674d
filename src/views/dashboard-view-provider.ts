// The sidebar dashboard. The webview posts `ready`; the host answers with the run list and then the data of
// the runs it asks for, read from the run folders (so finished runs and reloads work), and tails the
// metrics of shown runs while the view is visible, which covers runs started here and by the CLI.
import * as vscode from 'vscode';
import type { RunSummary, HostToWebviewMessage, WebviewToHostMessage } from '../protocol/webview-messages';
import { listRuns, MetricsTail, readRunStatus } from '../core/run-folder';
import { dashboardHtml } from './dashboard-html';
import { parseWebviewMessage } from './parse-webview-message';

export const dashboardViewId = 'thanora.dashboard';
const tailIntervalMs = 1000;

export interface DashboardHost {
  findRunsRoots(): Promise<string[]>;
  training(): { running: boolean; runDir?: string };
  onRunsChanged(runs: RunSummary[]): void;
}

export class DashboardViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view?: vscode.WebviewView;
  private runs: RunSummary[] = [];
  private tails = new Map<string, MetricsTail>();
  private timer?: NodeJS.Timeout;
  private readonly viewDisposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly host: DashboardHost) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const webview = view.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')] };
    webview.html = dashboardHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'dashboard.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'dashboard.css')).toString(),
    });
    this.viewDisposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidChangeVisibility(() => this.updateTimer()),
      view.onDidDispose(() => {
        this.view = undefined;
        this.updateTimer();
        for (const d of this.viewDisposables.splice(0)) d.dispose();
      }),
    );
  }

  /** Re-reads the run list (file watcher, training start/end) and tells the webview. */
  async refresh(select?: string): Promise<void> {
    this.runs = listRuns(await this.host.findRunsRoots());
    this.host.onRunsChanged(this.runs);
    this.post({ type: 'runs', runs: this.runs, select });
    this.postHostState();
  }

  postHostState(): void {
    const training = this.host.training();
    this.post({ type: 'hostState', training: training.running, activeRunDir: training.runDir, trusted: vscode.workspace.isTrusted });
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const d of this.viewDisposables.splice(0)) d.dispose();
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw, new Set(this.runs.map((r) => r.runDir)));
    if (!message) return;
    void this.handle(message);
  }

  private async handle(message: WebviewToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.refresh(this.host.training().runDir);
        break;
      case 'showRuns':
        this.show([message.runDir, ...message.compareWith]);
        break;
      case 'startTraining':
        await vscode.commands.executeCommand('thanora.startTraining');
        break;
      case 'stopTraining':
        await vscode.commands.executeCommand('thanora.stopTraining');
        break;
      case 'newExperiment':
        await vscode.commands.executeCommand('thanora.newExperiment');
        break;
      case 'mergeRun':
        await vscode.commands.executeCommand('thanora.mergeAdapter', vscode.Uri.file(message.runDir));
        break;
    }
  }

  private show(runDirs: string[]): void {
    this.tails = new Map();
    for (const runDir of runDirs) {
      const tail = new MetricsTail(runDir);
      try {
        this.post({ type: 'runData', runDir, events: tail.readNew(), status: readRunStatus(runDir) });
      } catch (e) {
        void vscode.window.showWarningMessage(`ThanoRA: cannot read run ${runDir}: ${(e as Error).message}`);
      }
      this.tails.set(runDir, tail);
    }
    this.updateTimer();
  }

  private updateTimer(): void {
    const wanted = this.view?.visible === true && this.tails.size > 0;
    if (wanted && !this.timer) this.timer = setInterval(() => this.poll(), tailIntervalMs);
    if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private poll(): void {
    for (const [runDir, tail] of this.tails) {
      try {
        const events = tail.readNew();
        if (events.length > 0) this.post({ type: 'runEvents', runDir, events });
      } catch {
        // A damaged line was reported when the run was opened; keep showing what was read.
      }
    }
  }

  private post(message: HostToWebviewMessage): void {
    void this.view?.webview.postMessage(message);
  }
}
