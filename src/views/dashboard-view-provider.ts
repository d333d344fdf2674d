// The dashboards: the compact live view in the sidebar and the wide one in an editor tab (runs table, a sweep's
// results table, charts side by side). Both are DashboardSessions on the same run list, read from the run folders (so finished runs
// and reloads work) and re-read when the file watchers or the trainer say it changed.
import * as vscode from 'vscode';
import type { PlaygroundRequest, PlaygroundResult } from '../protocol/playground';
import type { HostToWebviewMessage, RunSummary } from '../protocol/webview-messages';
import { listRuns } from '../core/run-folder';
import { listSweeps } from '../core/sweep/sweep-folder-results';
import { DashboardSession, dashboardWebviewOptions } from './dashboard-session';

export const dashboardViewId = 'thanora.dashboard';
export const dashboardPanelType = 'thanora.dashboardEditor';

export interface DashboardHost {
  findRunsRoots(): Promise<string[]>;
  training(): { running: boolean; runDir?: string };
  onRunsChanged(runs: RunSummary[]): void;
  /** The playground's prompt, in a worker. */
  generate(request: PlaygroundRequest, signal: AbortSignal): Promise<PlaygroundResult>;
}

export class DashboardViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private runs: RunSummary[] = [];
  private readonly sessions = new Set<DashboardSession>();
  private panel?: vscode.WebviewPanel;

  constructor(private readonly extensionUri: vscode.Uri, private readonly host: DashboardHost) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const session = this.open(view.webview, () => view.visible, 'sidebar');
    const visibility = view.onDidChangeVisibility(() => session.updateTimer());
    view.onDidDispose(() => {
      visibility.dispose();
      this.close(session);
    });
  }

  /** The wide dashboard in an editor tab; one, revealed when it is already open. */
  openInEditor(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(dashboardPanelType, 'ThanoRA Dashboard', vscode.ViewColumn.Active, dashboardWebviewOptions(this.extensionUri));
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'thanora.svg');
    const session = this.open(panel.webview, () => panel.visible, 'editor');
    panel.onDidChangeViewState(() => session.updateTimer());
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.close(session);
    });
    this.panel = panel;
  }

  /** Re-reads the run list (file watcher, training start/end) and tells every dashboard. */
  async refresh(select?: string): Promise<void> {
    this.runs = listRuns(await this.host.findRunsRoots());
    this.host.onRunsChanged(this.runs);
    this.broadcast({ type: 'runs', runs: this.runs, sweeps: listSweeps(this.runs), select });
    this.postHostState();
  }

  postHostState(): void {
    this.broadcast(this.hostState());
  }

  dispose(): void {
    this.panel?.dispose();
    for (const session of this.sessions) session.dispose();
    this.sessions.clear();
  }

  private open(webview: vscode.Webview, visible: () => boolean, layout: 'sidebar' | 'editor'): DashboardSession {
    const session = new DashboardSession(webview, visible, this.extensionUri, layout, {
      runs: () => this.runs,
      onReady: async (ready) => {
        this.runs = listRuns(await this.host.findRunsRoots());
        this.host.onRunsChanged(this.runs);
        ready.post({ type: 'runs', runs: this.runs, sweeps: listSweeps(this.runs), select: this.host.training().runDir });
        ready.post(this.hostState());
      },
      generate: (request, signal) => this.host.generate(request, signal),
      refresh: () => this.refresh(),
    });
    this.sessions.add(session);
    return session;
  }

  private close(session: DashboardSession): void {
    session.dispose();
    this.sessions.delete(session);
  }

  private hostState(): HostToWebviewMessage {
    const training = this.host.training();
    return { type: 'hostState', training: training.running, activeRunDir: training.runDir, trusted: vscode.workspace.isTrusted };
  }

  private broadcast(message: HostToWebviewMessage): void {
    for (const session of this.sessions) session.post(message);
  }
}
