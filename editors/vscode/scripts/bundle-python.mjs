// Puts backlog_ls and its Python dependencies into bundled/libs, as Microsoft's Python tool
// extensions do, so that the .vsix runs with any Python >= 3.10 and nothing installed.
//
// pip may only take pure-Python wheels (`--platform any --implementation py --only-binary`):
// a dependency with compiled code fails here, loudly, instead of making the .vsix work on one
// platform only. `--python-version 3.10` evaluates markers for the oldest Python we support,
// so back-ports such as tomli and exceptiongroup are included for it.
//
// Python: $PYTHON, else python3. Run from editors/vscode (npm run bundle-python).

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const extensionRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = path.resolve(extensionRoot, '..', '..');
const libs = path.join(extensionRoot, 'bundled', 'libs');
const wheelDir = path.join(extensionRoot, 'build', 'wheel');
const sourceCopy = path.join(extensionRoot, 'build', 'source');
const python = process.env.PYTHON || 'python3';

function run(args) {
    console.log(`$ ${python} ${args.join(' ')}`);
    const result = spawnSync(python, args, { stdio: 'inherit' });
    if (result.error) {
        throw new Error(`cannot run ${python}: ${result.error.message} (set PYTHON to a Python 3.10+)`);
    }
    if (result.status !== 0) {
        throw new Error(`${python} ${args[0]} ${args[1] ?? ''} failed with exit status ${result.status}`);
    }
}

function capture(args) {
    const result = spawnSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (result.status !== 0) {
        throw new Error(`${python} ${args.join(' ')} failed with exit status ${result.status}`);
    }
    return result.stdout;
}

function removeAll(root, shouldRemove) {
    for (const entry of readdirSync(root, { withFileTypes: true })) {
        const full = path.join(root, entry.name);
        if (shouldRemove(entry)) {
            rmSync(full, { recursive: true, force: true });
        } else if (entry.isDirectory()) {
            removeAll(full, shouldRemove);
        }
    }
}

rmSync(libs, { recursive: true, force: true });
rmSync(wheelDir, { recursive: true, force: true });
mkdirSync(wheelDir, { recursive: true });

// The wheel is built from a fresh copy of the package: setuptools builds in place, and its
// build/ folder in the repository could carry modules deleted since into the wheel.
rmSync(sourceCopy, { recursive: true, force: true });
for (const name of ['pyproject.toml', 'README.md', 'backlog_ls']) {
    cpSync(path.join(repositoryRoot, name), path.join(sourceCopy, name), {
        recursive: true,
        filter: (source) => !/(^|[\\/])(__pycache__|[^\\/]*\.pyc)$/.test(source),
    });
}
run(['-m', 'pip', 'wheel', '--no-deps', '--quiet', '--wheel-dir', wheelDir, sourceCopy]);
const wheels = readdirSync(wheelDir).filter((name) => name.endsWith('.whl'));
if (wheels.length !== 1) {
    throw new Error(`expected one backlog_ls wheel in ${wheelDir}, found: ${wheels.join(', ') || 'none'}`);
}

// pip resolves markers for the Python running it; unmet_requirements.py finds what another
// supported Python or platform needs (tomli on 3.10, say), and pip installs it too.
const pinned = [];
for (let round = 1; ; round++) {
    rmSync(libs, { recursive: true, force: true });
    run([
        '-m', 'pip', 'install',
        '--quiet', '--disable-pip-version-check', '--no-compile', '--no-user',
        '--target', libs,
        '--only-binary=:all:', '--platform', 'any', '--implementation', 'py', '--python-version', '3.10',
        path.join(wheelDir, wheels[0]),
        ...pinned,
    ]);
    const unmet = capture([path.join(extensionRoot, 'scripts', 'unmet_requirements.py'), libs])
        .split('\n').filter((line) => line.trim() !== '');
    if (unmet.length === 0) {
        break;
    }
    if (round === 5) {
        throw new Error(`still unmet after ${round} rounds: ${unmet.join(', ')}`);
    }
    console.log(`needed by another Python or platform: ${unmet.join(', ')}`);
    pinned.push(...unmet);
}

// Console scripts and byte code are for the machine that ran pip, not for the user's.
rmSync(path.join(libs, 'bin'), { recursive: true, force: true });
removeAll(libs, (entry) => entry.name === '__pycache__' || entry.name.endsWith('.pyc'));

if (!existsSync(path.join(libs, 'backlog_ls', 'cli.py'))) {
    throw new Error(`backlog_ls is missing from ${libs}`);
}
const packages = readdirSync(libs).filter((name) => name.endsWith('.dist-info'));
console.log(`bundled ${packages.length} Python distributions into ${path.relative(extensionRoot, libs)}:`);
console.log(packages.map((name) => `  ${name.replace(/\.dist-info$/, '')}`).join('\n'));
