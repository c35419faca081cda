// The status bar item: the issue tracker's cache state (from the server) and the server's own
// state, shown while a Markdown editor is active.

import * as vscode from 'vscode';
import { type ServerState, statusView, type TrackerStatus } from './status';

export class StatusBar implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('backlogLs.status', vscode.StatusBarAlignment.Right, 100);
    private readonly subscription: vscode.Disposable;
    private server: ServerState = 'discovering';
    private tracker: TrackerStatus | undefined;

    constructor() {
        this.item.name = 'backlog-ls';
        this.subscription = vscode.window.onDidChangeActiveTextEditor(() => this.updateVisibility());
        this.render();
    }

    setServerState(state: ServerState): void {
        this.server = state;
        if (state !== 'running') {
            this.tracker = undefined; // a new server sends its own status
        }
        this.render();
    }

    setTrackerStatus(status: TrackerStatus): void {
        this.tracker = status;
        this.render();
    }

    dispose(): void {
        this.subscription.dispose();
        this.item.dispose();
    }

    private render(): void {
        const view = statusView(this.server, this.tracker);
        this.item.text = view.text;
        this.item.tooltip = view.tooltip;
        this.item.command = view.command;
        this.item.backgroundColor =
            view.severity === undefined ? undefined : new vscode.ThemeColor(view.severity === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
        this.updateVisibility();
    }

    private updateVisibility(): void {
        if (vscode.window.activeTextEditor?.document.languageId === 'markdown') {
            this.item.show();
        } else {
            this.item.hide();
        }
    }
}
