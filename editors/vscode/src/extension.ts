// backlog-ls for VS Code: starts the bundled language server for Markdown files.

import * as vscode from 'vscode';
import { BacklogView } from './backlogView';
import { registerCommands } from './commands';
import { manifest } from './manifest';
import { ServerController } from './server';
import { StatusBar } from './statusBar';

let server: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const output = vscode.window.createOutputChannel('backlog-ls', { log: true });
    const status = new StatusBar();
    server = new ServerController(context, output, status);
    context.subscriptions.push(output, status, server, ...registerCommands(server, output));
    context.subscriptions.push(new BacklogView(server, context.workspaceState, output));
    output.info(`backlog-ls ${manifest(context.extension.packageJSON).version ?? ''} activating in ${vscode.env.appName} ${vscode.version}.`);
    await server.start();
}

export async function deactivate(): Promise<void> {
    await server?.stop();
    server = undefined;
}
