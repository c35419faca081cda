// The parts of interpreter discovery that touch the machine: running a Python to read its
// version, and asking the Python extension (ms-python.python) for its active interpreter.

import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { manifest } from './manifest';
import { describe, parseVersion, type ProbeResult, type PythonExtensionInterpreter, VERSION_PROBE } from './interpreter';

const PROBE_TIMEOUT_MS = 15_000;
const PYTHON_EXTENSION_ID = 'ms-python.python';

export function probePython(command: readonly string[]): Promise<ProbeResult> {
    const [program, ...flags] = command;
    return new Promise((resolve) => {
        execFile(program, [...flags, '-c', VERSION_PROBE], { timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout, stderr) => {
            if (error) {
                const code = (error as NodeJS.ErrnoException).code;
                if (code === 'ENOENT') {
                    resolve({ ok: false, reason: 'not found' });
                } else if (error.killed) {
                    resolve({ ok: false, reason: `did not answer within ${PROBE_TIMEOUT_MS / 1000} s` });
                } else {
                    const firstLine = String(stderr).trim().split('\n')[0] || error.message;
                    resolve({ ok: false, reason: `failed: ${firstLine}` });
                }
                return;
            }
            const version = parseVersion(String(stdout));
            resolve(version ? { ok: true, version } : { ok: false, reason: `printed no Python version (${String(stdout).trim() || 'nothing'})` });
        });
    });
}

// The slice of the Python extension's API (its `environments` export) that is used here.
interface PythonEnvironmentsApi {
    environments: {
        getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
        resolveEnvironment(environment: { id: string; path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
        onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
    };
}

async function pythonApi(): Promise<PythonEnvironmentsApi | undefined> {
    const extension = vscode.extensions.getExtension<PythonEnvironmentsApi>(PYTHON_EXTENSION_ID);
    if (extension === undefined) {
        return undefined;
    }
    const api = extension.isActive ? extension.exports : await extension.activate();
    if (!api?.environments) {
        throw new Error(`${PYTHON_EXTENSION_ID} ${manifest(extension.packageJSON).version ?? ''} has no environments API`);
    }
    return api;
}

export async function pythonExtensionInterpreter(resource: vscode.Uri | undefined): Promise<PythonExtensionInterpreter | undefined> {
    const api = await pythonApi();
    if (api === undefined) {
        return undefined;
    }
    const environment = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(resource));
    const executable = environment?.executable.uri?.fsPath;
    return { command: executable ? [executable] : undefined };
}

/** Calls `listener` when the Python extension's active interpreter changes; a no-op without that extension. */
export async function onPythonInterpreterChange(listener: () => void, log: (message: string) => void): Promise<vscode.Disposable | undefined> {
    try {
        const api = await pythonApi();
        return api?.environments.onDidChangeActiveEnvironmentPath(() => listener());
    } catch (error) {
        log(`Not following the Python extension's interpreter: ${describe(error)}`);
        return undefined;
    }
}
