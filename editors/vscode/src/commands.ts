// The commands of the palette and Alt+C. Task commands run the server's own commands
// (`backlog-ls.*`), which edit the document through workspace/applyEdit.

import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { distinctCursorLines } from './cursors';
import { describe } from './interpreter';
import { type ServerController } from './server';

const SERVER_COMMANDS = {
    toggleTask: 'backlog-ls.toggleTask',
    createIssue: 'backlog-ls.createIssue',
    refreshIssues: 'backlog-ls.refreshIssues',
};

export function registerCommands(server: ServerController, output: vscode.LogOutputChannel): vscode.Disposable[] {
    async function runOnServer(command: string, args: unknown[]): Promise<void> {
        const client = server.running;
        if (client === undefined) {
            const showOutput = 'Show Output';
            const choice = await vscode.window.showWarningMessage('The backlog-ls server is not running.', showOutput);
            if (choice === showOutput) {
                output.show();
            }
            return;
        }
        try {
            await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
        } catch (error) {
            output.error(`${command} failed: ${describe(error)}`);
            void vscode.window.showErrorMessage(`backlog-ls: ${command} failed: ${describe(error)}`);
        }
    }

    function markdownEditor(): vscode.TextEditor | undefined {
        const editor = vscode.window.activeTextEditor;
        return editor?.document.languageId === 'markdown' ? editor : undefined;
    }

    return [
        vscode.commands.registerCommand('backlogLs.toggleTask', async () => {
            const editor = markdownEditor();
            if (editor === undefined) {
                return;
            }
            const uri = editor.document.uri.toString();
            const cursors = editor.selections.map(({ active }) => ({ line: active.line, character: active.character }));
            for (const position of distinctCursorLines(cursors)) {
                await runOnServer(SERVER_COMMANDS.toggleTask, [uri, position]);
            }
        }),
        vscode.commands.registerCommand('backlogLs.createIssue', async () => {
            const editor = markdownEditor();
            if (editor !== undefined) {
                await runOnServer(SERVER_COMMANDS.createIssue, [editor.document.uri.toString(), editor.selection.active.line]);
            }
        }),
        vscode.commands.registerCommand('backlogLs.refreshIssues', () => runOnServer(SERVER_COMMANDS.refreshIssues, [])),
        vscode.commands.registerCommand('backlogLs.restartServer', () => server.restart('asked for by the user')),
        vscode.commands.registerCommand('backlogLs.showOutput', () => output.show()),
    ];
}
