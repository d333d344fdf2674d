// The "Rank Allocation" editor panel, one per experiment file: opened (or revealed) by the preview command,
// it shows the last plan, and "Preview again" re-runs it. The webview posts `ready` before the host sends the
// state; its messages are checked before the host acts on them.
import * as path from 'path';
import * as vscode from 'vscode';
import type { HostToPlanPanelMessage } from '../protocol/plan-messages';
import { allocationHtml } from './allocation-html';
import { parsePlanPanelMessage } from './parse-plan-panel-message';

export const allocationPanelType = 'thanora.allocation';

export class AllocationPanel implements vscode.Disposable {
  private static readonly open = new Map<string, AllocationPanel>();
  private last?: HostToPlanPanelMessage;
  private ready = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  /** The panel of `experimentFile`, revealed, or a new one. `onRefresh` runs the plan again. */
  static show(extensionUri: vscode.Uri, experimentFile: string, onRefresh: () => void): AllocationPanel {
    const existing = AllocationPanel.open.get(experimentFile);
    if (existing) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      allocationPanelType,
      `Rank Allocation: ${path.basename(path.dirname(experimentFile))}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')] },
    );
    const created = new AllocationPanel(panel, extensionUri, experimentFile, onRefresh);
    AllocationPanel.open.set(experimentFile, created);
    return created;
  }

  private constructor(private readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly experimentFile: string, onRefresh: () => void) {
    const webview = panel.webview;
    webview.html = allocationHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'allocation.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'allocation.css')).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = parsePlanPanelMessage(raw);
        if (message?.type === 'ready') {
          this.ready = true;
          if (this.last) void webview.postMessage(this.last);
        } else if (message?.type === 'refresh') onRefresh();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Shows a state (planning, the plan, a failure); kept and sent again when the webview (re)loads. */
  post(message: HostToPlanPanelMessage): void {
    this.last = message;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    AllocationPanel.open.delete(this.experimentFile);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
