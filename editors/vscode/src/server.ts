// The language client's life: find a command, start it, follow its state, restart it when
// the settings that choose it change, and stop it.

import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
    type ConfigurationParams,
    DidChangeConfigurationNotification,
    LanguageClient,
    type LanguageClientOptions,
    type ServerOptions,
    State,
} from 'vscode-languageclient/node';
import { manifest } from './manifest';
import { describe, discoverServer, type ServerLaunch } from './interpreter';
import { onPythonInterpreterChange, probePython, pythonExtensionInterpreter } from './python';
import { contributedKeys, RESTART_KEYS, SECTION, serverSection } from './settings';
import { parseTrackerStatus, STATUS_NOTIFICATION } from './status';
import { type StatusBar } from './statusBar';

const CLIENT_ID = 'backlogLs'; // also the prefix of `backlogLs.trace.server`, which the client reads itself
const CLIENT_NAME = 'backlog-ls';

export const DOCUMENT_SELECTOR = [
    { language: 'markdown', scheme: 'file' },
    { language: 'markdown', scheme: 'untitled' },
];

export class ServerController implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private launch: ServerLaunch | undefined;
    private stopping = false;
    private queue: Promise<unknown> = Promise.resolve();
    private readonly disposables: vscode.Disposable[] = [];
    private readonly started = new vscode.EventEmitter<void>();
    /** Fired each time a server is up and answering (a first start, a restart). */
    readonly onDidStart = this.started.event;

    constructor(
        private readonly context: vscode.ExtensionContext,
        private readonly output: vscode.LogOutputChannel,
        private readonly status: StatusBar,
    ) {
        this.disposables.push(
            vscode.workspace.onDidChangeConfiguration((event) => this.configurationChanged(event)),
            vscode.workspace.onDidGrantWorkspaceTrust(() => this.restart('the workspace is now trusted')),
        );
        void onPythonInterpreterChange(() => {
            if (this.launch?.origin === "the Python extension's interpreter" || this.launch === undefined) {
                void this.restart("the Python extension's interpreter changed");
            }
        }, (message) => this.output.info(message)).then((subscription) => subscription && this.disposables.push(subscription));
    }

    /** The client when the server is running, else undefined. */
    get running(): LanguageClient | undefined {
        return this.client?.state === State.Running ? this.client : undefined;
    }

    start(): Promise<void> {
        return this.serialized(() => this.startNow());
    }

    restart(reason: string): Promise<void> {
        return this.serialized(async () => {
            this.output.info(`Restarting the server: ${reason}.`);
            await this.stopNow();
            await this.startNow();
        });
    }

    stop(): Promise<void> {
        return this.serialized(() => this.stopNow());
    }

    dispose(): void {
        this.started.dispose();
        for (const disposable of this.disposables) {
            disposable.dispose();
        }
    }

    /** One start or stop at a time: a restart while starting waits for the start. */
    private serialized(action: () => Promise<void>): Promise<void> {
        const next = this.queue.then(action, action);
        this.queue = next.catch(() => undefined);
        return next;
    }

    private async startNow(): Promise<void> {
        this.status.setServerState('discovering');
        const folder = vscode.workspace.workspaceFolders?.[0];
        const discovery = await discoverServer({
            serverCommand: this.clientSetting('server.command'),
            interpreterSetting: this.clientSetting('interpreter'),
            variables: { workspaceFolder: folder?.uri.fsPath, userHome: os.homedir(), env: process.env },
            pythonExtension: () => pythonExtensionInterpreter(folder?.uri),
            probe: probePython,
            serveScript: this.context.asAbsolutePath(path.join('bundled', 'tool', 'serve.py')),
            log: (message) => this.output.info(message),
        });
        if (!discovery.found) {
            this.launch = undefined;
            this.status.setServerState('noPython');
            this.output.error(discovery.message);
            void this.showNoPython(discovery.message);
            return;
        }
        this.launch = discovery.launch;
        const client = this.createClient(discovery.launch, folder);
        this.client = client;
        try {
            await client.start();
        } catch (error) {
            this.output.error(`The server did not start (${[discovery.launch.command, ...discovery.launch.args].join(' ')}): ${describe(error)}`);
            this.status.setServerState('crashed');
        }
    }

    private async stopNow(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client === undefined) {
            return;
        }
        this.stopping = true;
        try {
            if (client.needsStop()) {
                await client.stop();
            }
        } catch (error) {
            this.output.warn(`Stopping the server: ${describe(error)}`);
        } finally {
            this.stopping = false;
            await client.dispose().catch(() => undefined);
            this.status.setServerState('stopped');
        }
    }

    private createClient(launch: ServerLaunch, folder: vscode.WorkspaceFolder | undefined): LanguageClient {
        const serverOptions: ServerOptions = {
            command: launch.command,
            args: launch.args,
            // PYTHONUTF8: Windows' Pythons would otherwise read files in the legacy code page.
            options: { cwd: folder?.uri.fsPath, env: { ...process.env, PYTHONUTF8: '1' } },
        };
        const clientOptions: LanguageClientOptions = {
            documentSelector: DOCUMENT_SELECTOR,
            outputChannel: this.output,
            initializationOptions: this.serverSection(undefined),
            middleware: {
                workspace: {
                    configuration: async (params: ConfigurationParams, token, next) => {
                        const answers: unknown = await next(params, token);
                        if (!Array.isArray(answers)) {
                            return answers as Awaited<ReturnType<typeof next>>; // an error: passed on
                        }
                        const values: unknown[] = answers;
                        return params.items.map((item, index) => (item.section === SECTION ? this.serverSection(item.scopeUri) : values[index]));
                    },
                },
            },
        };
        const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
        client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
            const status = parseTrackerStatus(params);
            if (status) {
                this.status.setTrackerStatus(status);
            }
        });
        client.onDidChangeState(({ newState }) => {
            if (client !== this.client) {
                return; // an old client, being replaced
            }
            if (newState === State.Starting) {
                this.status.setServerState('starting');
            } else if (newState === State.Running) {
                this.status.setServerState('running');
                this.output.info(`The server is running (${launch.origin}${launch.pythonVersion ? `, Python ${launch.pythonVersion}` : ''}).`);
                this.started.fire();
            } else {
                this.status.setServerState(this.stopping ? 'stopped' : 'crashed');
            }
        });
        return client;
    }

    /**
     * What the server gets for `workspace/configuration` {section: "backlogLs", scopeUri}, and as
     * initializationOptions: with the user's own values apart and the workspace's trust (granting
     * trust restarts the server, so the new value arrives with the next initialize).
     */
    private serverSection(scopeUri: string | undefined): Record<string, unknown> {
        const configuration = vscode.workspace.getConfiguration(SECTION, scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
        const properties = manifest(this.context.extension.packageJSON).contributes?.configuration?.properties ?? {};
        return serverSection(contributedKeys(properties), (key) => configuration.inspect(key), vscode.workspace.isTrusted);
    }

    /**
     * A setting that names a program to run. In an untrusted workspace only the user's own value
     * counts (package.json declares these restricted too).
     */
    private clientSetting(key: string): string[] {
        const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string[]>(key);
        const value = vscode.workspace.isTrusted
            ? inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue
            : inspected?.globalValue;
        return Array.isArray(value) ? value.filter((part) => typeof part === 'string') : [];
    }

    private configurationChanged(event: vscode.ConfigurationChangeEvent): void {
        if (RESTART_KEYS.some((key) => event.affectsConfiguration(key))) {
            void this.restart('the server command or interpreter setting changed');
            return;
        }
        const client = this.running;
        if (client && event.affectsConfiguration(SECTION)) {
            // The server answers by asking workspace/configuration again (the middleware above).
            void client
                .sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: this.serverSection(undefined) } })
                .catch((error) => this.output.warn(`Could not send the settings: ${describe(error)}`));
        }
    }

    private async showNoPython(message: string): Promise<void> {
        const openSettings = 'Open Settings';
        const showOutput = 'Show Output';
        const choice = await vscode.window.showErrorMessage(message, openSettings, showOutput);
        if (choice === openSettings) {
            await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.interpreter`);
        } else if (choice === showOutput) {
            this.output.show();
        }
    }
}
