// The "Backlog" view in the Explorer: the workspace's backlog files, their sections with a
// progress bar, their tasks with a state icon. The server answers `backlog-ls/outline`; this
// asks again when a backlog changes (an edit, a save, a file created or deleted on disk).

import * as vscode from 'vscode';
import { type LanguageClient } from 'vscode-languageclient/node';
import { describe } from './interpreter';
import {
    children,
    countsTooltip,
    files,
    type Filter,
    FILTERS,
    filterDescription,
    OUTLINE_REQUEST,
    type Outline,
    type OutlineNode,
    parseOutline,
    withFile,
    progressText,
    taskDescription,
    taskIcon,
} from './outline';
import { type ServerController } from './server';

export const VIEW_ID = 'backlogLs.backlog';
const FILTER_CONTEXT = 'backlogLs.backlog.filter';
const FILTER_STATE = 'backlogLs.backlog.filter';
// Keystrokes come fast: ask once typing pauses.
const REFRESH_DELAY_MS = 300;

const FILTER_COMMANDS: Record<Filter, string> = {
    all: 'backlogLs.backlog.showAll',
    open: 'backlogLs.backlog.showOpen',
    ready: 'backlogLs.backlog.showReady',
};

type FileNode = Extract<OutlineNode, { type: 'file' }>;

export class BacklogView implements vscode.TreeDataProvider<OutlineNode>, vscode.Disposable {
    private outline: Outline | undefined;
    private filter: Filter;
    private timer: ReturnType<typeof setTimeout> | undefined;
    private asked = 0;
    private everything = true; // the next request asks for the whole workspace
    private readonly edited = new Set<string>(); // ... or for these documents only
    private readonly changed = new vscode.EventEmitter<OutlineNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly view: vscode.TreeView<OutlineNode>;
    private readonly disposables: vscode.Disposable[] = [];

    constructor(
        private readonly server: ServerController,
        private readonly state: vscode.Memento,
        private readonly output: vscode.LogOutputChannel,
    ) {
        const saved = state.get<Filter>(FILTER_STATE);
        this.filter = saved !== undefined && FILTERS.includes(saved) ? saved : 'all';
        this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
        const watcher = vscode.workspace.createFileSystemWatcher('**/*.{md,markdown}');
        const isMarkdown = (document: vscode.TextDocument) => document.languageId === 'markdown';
        this.disposables.push(
            this.view,
            this.changed,
            watcher,
            watcher.onDidCreate(() => this.refreshSoon()),
            watcher.onDidDelete(() => this.refreshSoon()),
            watcher.onDidChange(() => this.refreshSoon()),
            vscode.workspace.onDidChangeTextDocument((event) => isMarkdown(event.document) && event.contentChanges.length > 0 && this.refreshSoon(event.document.uri.toString())),
            vscode.workspace.onDidCloseTextDocument((document) => isMarkdown(document) && this.refreshSoon()),
            this.view.onDidChangeVisibility(({ visible }) => visible && this.refreshSoon()),
            server.onDidStart(() => this.refreshSoon()),
            vscode.commands.registerCommand('backlogLs.backlog.refresh', () => {
                this.everything = true;
                return this.refresh();
            }),
            ...FILTERS.map((filter) => vscode.commands.registerCommand(FILTER_COMMANDS[filter], () => this.setFilter(filter))),
        );
        void this.setFilter(this.filter);
    }

    dispose(): void {
        clearTimeout(this.timer);
        for (const disposable of this.disposables) {
            disposable.dispose();
        }
    }

    /**
     * Ask again once changes pause: for the documents edited (`uri`), or for the whole workspace
     * (a file created, deleted or changed on disk; the server started).
     */
    refreshSoon(uri?: string): void {
        if (uri === undefined || this.outline === undefined) {
            this.everything = true;
        } else {
            this.edited.add(uri);
        }
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
    }

    /** Ask the server for the outline; the newest answer wins (an older one arriving late is dropped). */
    async refresh(): Promise<void> {
        const client: LanguageClient | undefined = this.server.running;
        if (client === undefined) {
            this.view.message = 'The backlog-ls server is not running.';
            return;
        }
        const everything = this.everything || this.outline === undefined;
        const edited = [...this.edited];
        this.everything = false;
        this.edited.clear();
        // A whole answer asked for later replaces this one: it is dropped when it arrives late.
        const asked = everything ? ++this.asked : this.asked;
        try {
            const answers = await Promise.all(
                (everything ? [undefined] : edited).map(async (uri) => ({
                    uri,
                    answer: parseOutline(await client.sendRequest(OUTLINE_REQUEST, uri === undefined ? {} : { uri })),
                })),
            );
            if (asked !== this.asked) {
                return;
            }
            let outline = this.outline;
            for (const { uri, answer } of answers) {
                if (answer === undefined) {
                    this.output.warn(`${OUTLINE_REQUEST}: the server's answer is not an outline`);
                    return;
                }
                outline = uri === undefined || outline === undefined ? answer : withFile(outline, uri, answer);
            }
            this.outline = outline;
            this.showMessage();
            this.changed.fire(undefined);
        } catch (error) {
            this.output.warn(`${OUTLINE_REQUEST} failed: ${describe(error)}`);
        }
    }

    private async setFilter(filter: Filter): Promise<void> {
        this.filter = filter;
        this.view.description = filterDescription(filter);
        await vscode.commands.executeCommand('setContext', FILTER_CONTEXT, filter);
        await this.state.update(FILTER_STATE, filter);
        this.showMessage();
        this.changed.fire(undefined);
    }

    private showMessage(): void {
        if (this.outline === undefined) {
            return;
        }
        if (files(this.outline, this.filter).length > 0) {
            this.view.message = undefined;
        } else if (this.outline.files.length === 0) {
            this.view.message = 'No backlog in this workspace: a Markdown file with task items ("- [ ] ...") is one.';
        } else {
            this.view.message = this.filter === 'ready' ? 'No task is ready to start.' : 'No open task.';
        }
    }

    getChildren(node?: OutlineNode): OutlineNode[] {
        if (node === undefined) {
            return files(this.outline, this.filter).map((file): FileNode => ({ type: 'file', file }));
        }
        return children(node, this.filter);
    }

    getTreeItem(node: OutlineNode): vscode.TreeItem {
        const expanded = vscode.TreeItemCollapsibleState.Expanded;
        const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
        const none = vscode.TreeItemCollapsibleState.None;
        switch (node.type) {
            case 'file': {
                const uri = vscode.Uri.parse(node.file.uri);
                const item = new vscode.TreeItem(uri, expanded);
                item.label = vscode.workspace.asRelativePath(uri);
                item.description = progressText(node.file.counts);
                item.tooltip = countsTooltip(vscode.workspace.asRelativePath(uri), node.file.counts);
                item.contextValue = 'backlogFile';
                return item;
            }
            case 'section': {
                const { section } = node;
                // Collapsed: a file's sections with their progress read at a glance; a click shows the tasks.
                const item = new vscode.TreeItem(section.title, children(node, this.filter).length > 0 ? collapsed : none);
                item.description = progressText(section.counts);
                item.tooltip = countsTooltip(section.title, section.counts);
                item.iconPath = section.task ? this.icon(taskIcon(section.task)) : new vscode.ThemeIcon('symbol-namespace');
                item.command = this.reveal(node.uri, section.range);
                item.contextValue = 'backlogSection';
                return item;
            }
            case 'task': {
                const { task } = node;
                const item = new vscode.TreeItem(task.name, task.subtasks.length > 0 && children(node, this.filter).length > 0 ? collapsed : none);
                item.description = taskDescription(task);
                item.tooltip = `${task.name}\n[${task.state}] ${task.meaning}${task.kind === 'open' ? (task.ready ? ' · ready to start' : ' · waiting for another task') : ''}`;
                item.iconPath = this.icon(taskIcon(task));
                item.command = this.reveal(node.uri, task.range);
                item.contextValue = 'backlogTask';
                return item;
            }
        }
    }

    private icon({ id, color }: { id: string; color?: string }): vscode.ThemeIcon {
        return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
    }

    /** A click opens the file with the cursor on the line. */
    private reveal(uri: string, range: { start: { line: number; character: number } }): vscode.Command {
        const start = new vscode.Position(range.start.line, range.start.character);
        return {
            command: 'vscode.open',
            title: 'Go to the line',
            arguments: [vscode.Uri.parse(uri), { selection: new vscode.Range(start, start), preserveFocus: false }],
        };
    }
}
