import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
    type DiscoveryEnvironment,
    discoverServer,
    expandVariables,
    parseVersion,
    type ProbeResult,
    type PythonExtensionInterpreter,
} from '../src/interpreter';

const SERVE = '/ext/bundled/tool/serve.py';

/** A machine where each command (joined by spaces) answers a probe as given; others are "not found". */
function machine(
    pythons: Record<string, string>,
    overrides: Partial<DiscoveryEnvironment> = {},
): { environment: DiscoveryEnvironment; probed: string[]; logged: string[] } {
    const probed: string[] = [];
    const logged: string[] = [];
    const environment: DiscoveryEnvironment = {
        serverCommand: [],
        interpreterSetting: [],
        variables: { workspaceFolder: '/projects/plan', userHome: '/home/ada', env: { VENV: '/opt/venv' } },
        pythonExtension: () => Promise.resolve(undefined),
        probe: (command): Promise<ProbeResult> => {
            const key = command.join(' ');
            probed.push(key);
            const output = pythons[key];
            if (output === undefined) {
                return Promise.resolve({ ok: false, reason: 'not found' });
            }
            const version = parseVersion(output);
            return Promise.resolve(version ? { ok: true, version } : { ok: false, reason: `printed no Python version (${output})` });
        },
        serveScript: SERVE,
        log: (message) => logged.push(message),
        ...overrides,
    };
    return { environment, probed, logged };
}

function pythonExtension(command: string[] | undefined): () => Promise<PythonExtensionInterpreter> {
    return () => Promise.resolve({ command });
}

describe('discoverServer', () => {
    it('uses backlogLs.server.command as written, without probing any Python', async () => {
        const { environment, probed } = machine({ python3: '3.12.1' }, { serverCommand: ['backlog-ls', 'serve', '--log', '${userHome}/ls.log'] });

        const discovery = await discoverServer(environment);

        assert.deepEqual(discovery, {
            found: true,
            launch: { command: 'backlog-ls', args: ['serve', '--log', '/home/ada/ls.log'], origin: 'backlogLs.server.command' },
        });
        assert.deepEqual(probed, []);
    });

    it('prefers backlogLs.interpreter, expanding ${workspaceFolder}, and runs the bundled server with it', async () => {
        const { environment, probed } = machine(
            { '/projects/plan/.venv/bin/python': '3.11.7', '/usr/bin/python3.13': '3.13.0', python3: '3.12.1' },
            { interpreterSetting: ['${workspaceFolder}/.venv/bin/python'], pythonExtension: pythonExtension(['/usr/bin/python3.13']) },
        );

        const discovery = await discoverServer(environment);

        assert.deepEqual(discovery, {
            found: true,
            launch: { command: '/projects/plan/.venv/bin/python', args: [SERVE], origin: 'backlogLs.interpreter', pythonVersion: '3.11.7' },
        });
        assert.deepEqual(probed, ['/projects/plan/.venv/bin/python']);
    });

    it('keeps the flags of an interpreter command before the server script', async () => {
        const { environment } = machine({ 'py -3.12': '3.12.4' }, { interpreterSetting: ['py', '-3.12'] });

        const discovery = await discoverServer(environment);

        assert.ok(discovery.found);
        assert.equal(discovery.launch.command, 'py');
        assert.deepEqual(discovery.launch.args, ['-3.12', SERVE]);
    });

    it("takes the Python extension's interpreter before python3 on PATH", async () => {
        const { environment, probed } = machine(
            { '/home/ada/.pyenv/versions/3.12.2/bin/python': '3.12.2', python3: '3.11.2' },
            { pythonExtension: pythonExtension(['/home/ada/.pyenv/versions/3.12.2/bin/python']) },
        );

        const discovery = await discoverServer(environment);

        assert.ok(discovery.found);
        assert.equal(discovery.launch.command, '/home/ada/.pyenv/versions/3.12.2/bin/python');
        assert.equal(discovery.launch.origin, "the Python extension's interpreter");
        assert.deepEqual(probed, ['/home/ada/.pyenv/versions/3.12.2/bin/python']);
    });

    it('rejects a Python older than 3.10, logs why, and goes on to the next candidate', async () => {
        const { environment, probed, logged } = machine(
            { '/usr/bin/python3.8': '3.8.10', python3: '3.9.2', python: '3.10.0' },
            { interpreterSetting: ['/usr/bin/python3.8'] },
        );

        const discovery = await discoverServer(environment);

        assert.ok(discovery.found);
        assert.equal(discovery.launch.command, 'python');
        assert.equal(discovery.launch.pythonVersion, '3.10.0');
        assert.deepEqual(probed, ['/usr/bin/python3.8', 'python3', 'python']);
        assert.ok(logged.includes('Skipping /usr/bin/python3.8 (backlogLs.interpreter): Python 3.8.10 is older than 3.10'), logged.join('\n'));
        assert.ok(logged.includes('Skipping python3 (python3 on PATH): Python 3.9.2 is older than 3.10'), logged.join('\n'));
    });

    it('goes on to python3 when the Python extension throws or has no interpreter selected', async () => {
        for (const extension of [() => Promise.reject(new Error('extension host busy')), pythonExtension(undefined)]) {
            const { environment, logged } = machine({ python3: '3.11.4' }, { pythonExtension: extension });

            const discovery = await discoverServer(environment);

            assert.ok(discovery.found);
            assert.equal(discovery.launch.command, 'python3');
            assert.equal(discovery.launch.origin, 'python3 on PATH');
            assert.ok(
                logged.some((line) => line.includes('extension host busy') || line.includes('no interpreter selected')),
                logged.join('\n'),
            );
        }
    });

    it('says what to install and which settings to set when no usable Python is found', async () => {
        const { environment } = machine({ python3: '3.9.18', python: 'Python was not found; run without arguments to install from the Microsoft Store' });

        const discovery = await discoverServer(environment);

        assert.equal(discovery.found, false);
        assert.ok(!discovery.found);
        assert.deepEqual(discovery.rejections, [
            { candidate: 'python3 (python3 on PATH)', reason: 'Python 3.9.18 is older than 3.10' },
            {
                candidate: 'python (python on PATH)',
                reason: 'printed no Python version (Python was not found; run without arguments to install from the Microsoft Store)',
            },
        ]);
        assert.match(discovery.message, /^backlog-ls needs Python 3\.10 or newer/);
        assert.match(discovery.message, /Install Python 3\.10\+/);
        assert.match(discovery.message, /"backlogLs\.interpreter"/);
        assert.match(discovery.message, /"backlogLs\.server\.command" to \["backlog-ls", "serve"\]/);
        assert.match(discovery.message, /python3 \(python3 on PATH\): Python 3\.9\.18 is older than 3\.10/);
    });
});

describe('expandVariables', () => {
    it('expands ${workspaceFolder}, ${userHome} and ${env:NAME}, and leaves unknown variables alone', () => {
        const variables = { workspaceFolder: '/w', userHome: '/h', env: { VENV: '/opt/venv' } };
        assert.equal(expandVariables('${workspaceFolder}/.venv/bin/python', variables), '/w/.venv/bin/python');
        assert.equal(expandVariables('${env:VENV}/bin/python', variables), '/opt/venv/bin/python');
        assert.equal(expandVariables('${userHome}/py ${env:UNSET}|', variables), '/h/py |');
        assert.equal(expandVariables('${workspaceFolder}', { env: {} }), '${workspaceFolder}');
        assert.equal(expandVariables('${config:python.path}', variables), '${config:python.path}');
    });
});

describe('parseVersion', () => {
    it('reads the probe output and nothing else', () => {
        assert.deepEqual(parseVersion('3.12.1\n'), [3, 12, 1]);
        assert.equal(parseVersion('Python 3.12.1'), undefined);
        assert.equal(parseVersion(''), undefined);
    });
});
