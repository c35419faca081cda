// Which command starts the server. Pure: everything that touches VS Code or spawns a process
// comes in through `DiscoveryEnvironment`, so the order and the messages are unit-tested.
//
// Order: `backlogLs.server.command` as written; else the first Python >= 3.10 among
// `backlogLs.interpreter`, the Python extension's active interpreter, `python3`, `python`,
// which then runs the bundled server (bundled/tool/serve.py).

export const MINIMUM_PYTHON: readonly [number, number] = [3, 10];

export interface ServerLaunch {
    command: string;
    args: string[];
    /** Where the command came from, for the log ("backlogLs.server.command", "python3 on PATH"). */
    origin: string;
    /** The Python version used, when a Python was probed. */
    pythonVersion?: string;
}

export type ProbeResult = { ok: true; version: [number, number, number] } | { ok: false; reason: string };

export interface PythonExtensionInterpreter {
    /** The interpreter as a command (usually one path), or undefined when none is selected. */
    command?: string[];
}

export interface DiscoveryEnvironment {
    /** `backlogLs.server.command` (empty: not set). */
    serverCommand: readonly string[];
    /** `backlogLs.interpreter` (empty: not set). */
    interpreterSetting: readonly string[];
    /** Values for `${workspaceFolder}`, `${userHome}` and `${env:NAME}` in both settings. */
    variables: { workspaceFolder?: string; userHome?: string; env: Readonly<Record<string, string | undefined>> };
    /** The Python extension's active interpreter; undefined when that extension is not installed. May throw. */
    pythonExtension: () => Promise<PythonExtensionInterpreter | undefined>;
    /** Runs `command -c ...` and reports the Python version, or why it could not. */
    probe: (command: readonly string[]) => Promise<ProbeResult>;
    /** Absolute path of bundled/tool/serve.py. */
    serveScript: string;
    log: (message: string) => void;
}

export interface Rejection {
    candidate: string;
    reason: string;
}

export type Discovery = { found: true; launch: ServerLaunch } | { found: false; rejections: Rejection[]; message: string };

/** Python code printing "3.11.7": what a probe runs with `-c`. */
export const VERSION_PROBE = "import sys; print('%d.%d.%d' % tuple(sys.version_info[:3]))";

export function expandVariables(value: string, variables: DiscoveryEnvironment['variables']): string {
    return value.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (whole, name: string, envName?: string) => {
        if (envName !== undefined) {
            return variables.env[envName] ?? '';
        }
        const replacement = name === 'workspaceFolder' ? variables.workspaceFolder : variables.userHome;
        return replacement ?? whole;
    });
}

/** "3.11.7" from a probe's output; undefined when the output is not a version. */
export function parseVersion(output: string): [number, number, number] | undefined {
    const match = /^(\d+)\.(\d+)\.(\d+)\s*$/m.exec(output.trim());
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export function isSupported(version: readonly number[]): boolean {
    const [major, minor] = version;
    return major > MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor >= MINIMUM_PYTHON[1]);
}

const MINIMUM_TEXT = `${MINIMUM_PYTHON[0]}.${MINIMUM_PYTHON[1]}`;

/** What the user reads when no Python can run the server: what to install, and which settings to set. */
export function noPythonMessage(rejections: readonly Rejection[]): string {
    const tried = rejections.map((rejection) => `${rejection.candidate}: ${rejection.reason}`).join('; ');
    return (
        `backlog-ls needs Python ${MINIMUM_TEXT} or newer to run its language server, and found none` +
        (tried ? ` (${tried})` : '') +
        `. Install Python ${MINIMUM_TEXT}+ (python.org, or your system's python3 package), ` +
        'then set "backlogLs.interpreter" to its path if it is not "python3" on PATH; ' +
        'or install backlog-ls yourself (pipx install backlog-ls) and set "backlogLs.server.command" to ["backlog-ls", "serve"].'
    );
}

interface Candidate {
    label: string;
    command: () => Promise<string[] | undefined>;
}

export async function discoverServer(environment: DiscoveryEnvironment): Promise<Discovery> {
    const expand = (values: readonly string[]) => values.map((value) => expandVariables(value, environment.variables));

    if (environment.serverCommand.length > 0) {
        const [command, ...args] = expand(environment.serverCommand);
        environment.log(`Server command from backlogLs.server.command: ${[command, ...args].join(' ')}`);
        return { found: true, launch: { command, args, origin: 'backlogLs.server.command' } };
    }

    const candidates: Candidate[] = [
        {
            label: 'backlogLs.interpreter',
            command: () => Promise.resolve(environment.interpreterSetting.length > 0 ? expand(environment.interpreterSetting) : undefined),
        },
        { label: "the Python extension's interpreter", command: () => pythonExtensionCommand(environment) },
        { label: 'python3 on PATH', command: () => Promise.resolve(['python3']) },
        { label: 'python on PATH', command: () => Promise.resolve(['python']) },
    ];

    const rejections: Rejection[] = [];
    for (const candidate of candidates) {
        const command = await candidate.command();
        if (command === undefined) {
            continue;
        }
        const name = `${command.join(' ')} (${candidate.label})`;
        const result = await environment.probe(command);
        if (!result.ok) {
            rejections.push({ candidate: name, reason: result.reason });
            environment.log(`Skipping ${name}: ${result.reason}`);
            continue;
        }
        const version = result.version.join('.');
        if (!isSupported(result.version)) {
            const reason = `Python ${version} is older than ${MINIMUM_TEXT}`;
            rejections.push({ candidate: name, reason });
            environment.log(`Skipping ${name}: ${reason}`);
            continue;
        }
        environment.log(`Using ${name}: Python ${version}`);
        const [program, ...flags] = command;
        return {
            found: true,
            launch: { command: program, args: [...flags, environment.serveScript], origin: candidate.label, pythonVersion: version },
        };
    }
    return { found: false, rejections, message: noPythonMessage(rejections) };
}

async function pythonExtensionCommand(environment: DiscoveryEnvironment): Promise<string[] | undefined> {
    try {
        const interpreter = await environment.pythonExtension();
        if (interpreter === undefined) {
            environment.log('The Python extension is not installed; not asking it for an interpreter.');
            return undefined;
        }
        if (!interpreter.command || interpreter.command.length === 0) {
            environment.log('The Python extension has no interpreter selected.');
            return undefined;
        }
        return interpreter.command;
    } catch (error) {
        environment.log(`The Python extension could not say which interpreter is active: ${describe(error)}`);
        return undefined;
    }
}

export function describe(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
