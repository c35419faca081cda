// Drives the backlog-ls extension in real VS Code (code-server in Debian's Chromium) the way a
// user would, and writes what it saw to a JSON file for tests/editors/test_vscode_e2e.py.
//
// Usage: node e2e.mjs CONFIG.json   (the pytest wrapper writes CONFIG; see `Config` below)
//
// Every step waits for what a user would see (a selector, a text) with a timeout, never a
// fixed sleep. The first step that fails ends the run: the result names it, and carries the
// tail of code-server's log and a screenshot of the page at that moment. code-server and
// Chromium are stopped on every path.

import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

/**
 * @typedef {object} Config
 * @property {string} codeServer       path of the code-server executable
 * @property {string} chromium         path of the Chromium executable
 * @property {string} vsix             the extension package to install
 * @property {string} workspace        the folder to open (holds only the backlog)
 * @property {string} backlogName      the backlog's file name in the workspace
 * @property {string} userDataDir      code-server's --user-data-dir (fresh)
 * @property {string} extensionsDir    code-server's --extensions-dir (fresh)
 * @property {string} browserProfile   Chromium's profile folder (fresh)
 * @property {string} codeServerLog    where code-server's stdout and stderr go
 * @property {{line: number, column: number, expect: string}} rfcHover
 * @property {{line: number, column: number, before: string, after: string}} toggle
 * @property {{message: string}} hint      the placeholder's finding before the task is ticked
 * @property {{message: string}} warning   its finding once the task is ticked
 * @property {{sections: {title: string, progress: string}[], sectionsAfterToggle: {title: string, progress: string}[],
 *   reveal: {title: string, line: number}, readyTask: string, doneTask: string,
 *   heading: {text: string, hint: string}, screenshots: string[]}} backlogView
 *   the Backlog view: its section rows in order (title, progress label), a section to click and the
 *   line it reveals, a task ready to start and a done one (for the filter), a heading and its inlay hint
 * @property {string[]} screenshots     where the final screenshot is saved
 * @property {string} failureScreenshot where the screenshot of a failed step is saved
 * @property {string} result            where this script writes its observations
 * @property {number} stepTimeoutMs
 */

/** @type {Config} */
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const observed = {};
const result = { ok: false, failedStep: null, error: null, logTail: null, observed };
const STEP_TIMEOUT = config.stepTimeoutMs;
// No extension gallery: code-server would otherwise query open-vsx.org, and the test stays offline.
const CODE_SERVER_ENV = { ...process.env, EXTENSIONS_GALLERY: '{}' };

let codeServer = null;
let context = null;
let currentStep = 'start';
let stepNumber = 0;

/** Runs one named step; a failure carries the step's name to the report. */
async function step(name, action) {
  currentStep = name;
  process.stderr.write(`e2e: ${name}\n`);
  const outcome = await action();
  // E2E_TRACE_DIR=folder keeps a screenshot after every step, to see where a run went wrong.
  const page = context?.pages()[0];
  if (process.env.E2E_TRACE_DIR && page) {
    stepNumber += 1;
    await page.screenshot({ path: join(process.env.E2E_TRACE_DIR, `step-${stepNumber}.png`) });
  }
  return outcome;
}

/** Monaco renders spaces as no-break spaces; compare text as a user reads it. */
const plain = (text) => (text ?? '').replace(/\u00a0/g, ' ');

function installExtension() {
  const run = spawnSync(
    config.codeServer,
    ['--user-data-dir', config.userDataDir, '--extensions-dir', config.extensionsDir, '--install-extension', config.vsix],
    { encoding: 'utf8', timeout: STEP_TIMEOUT, env: CODE_SERVER_ENV },
  );
  observed.installOutput = `${run.stdout}${run.stderr}`.trim();
  if (run.status !== 0 || !/successfully installed/i.test(observed.installOutput)) {
    throw new Error(`code-server --install-extension failed (exit ${run.status}): ${observed.installOutput}`);
  }
  observed.installedExtensions = readdirSync(config.extensionsDir).filter((name) => !name.startsWith('.') && name !== 'extensions.json');
}

/** Starts code-server on a port the system picks and resolves with its URL once it listens. */
function startCodeServer() {
  const log = createWriteStream(config.codeServerLog);
  codeServer = spawn(
    config.codeServer,
    [
      '--auth', 'none',
      '--bind-addr', '127.0.0.1:0',
      '--user-data-dir', config.userDataDir,
      '--extensions-dir', config.extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      config.workspace,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: CODE_SERVER_ENV },
  );
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`code-server did not report a listening address within ${STEP_TIMEOUT} ms`)), STEP_TIMEOUT);
    const onData = (chunk) => {
      log.write(chunk);
      seen += chunk.toString();
      const listening = seen.match(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    };
    codeServer.stdout.on('data', onData);
    codeServer.stderr.on('data', onData);
    codeServer.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited early (code ${code}, signal ${signal})`));
    });
  });
}

/** The text of the editor line that starts with `prefix`, as rendered (null when not shown). */
async function renderedLineStartingWith(page, prefix) {
  const lines = await page.locator('.monaco-editor .view-lines .view-line').allTextContents();
  return lines.map(plain).find((line) => line.startsWith(prefix)) ?? null;
}

/** Ctrl+G "go to line": puts the cursor at `line`:`column` (1-based) in the active editor. */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  // Ctrl+G opens Quick Open with the ':' of "go to line" typed; filling replaces it.
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
}

/** Shows the hover at the cursor (Ctrl+K Ctrl+I) and waits until it holds `expected`. */
async function hoverAtCursor(page, expected) {
  const hover = page.locator('.monaco-hover-content', { hasText: expected });
  // The server may answer an early request with nothing (it is still starting): ask again.
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    try {
      await hover.first().waitFor({ state: 'visible', timeout: 5000 });
      return plain(await hover.first().innerText());
    } catch {
      if (Date.now() > deadline) {
        const shown = await page.locator('.monaco-hover-content').allInnerTexts();
        throw new Error(`no hover containing ${JSON.stringify(expected)}; hovers shown: ${JSON.stringify(shown.map(plain))}`);
      }
      await page.keyboard.press('Escape');
    }
  }
}

/** The Backlog view's pane in the Explorer, expanded (a collapsed pane is opened with a click). */
async function backlogPane(page) {
  // The header's title alone: beside it the view's description names the filter.
  const title = page.locator('h3.title', { hasText: /^\s*backlog\s*$/i });
  const header = page.locator('.explorer-viewlet .pane-header', { has: title });
  await header.waitFor({ state: 'visible' });
  if ((await header.getAttribute('aria-expanded')) === 'false') {
    await header.click();
  }
  return page.locator('.explorer-viewlet .pane', { has: page.locator('.pane-header', { has: title }) });
}

/** The rows the Backlog view shows: label, description (the progress or state) and depth. */
async function backlogRows(pane) {
  return pane.locator('.monaco-list-row').evaluateAll((rows) => rows.map((row) => ({
    label: row.querySelector('.label-name')?.textContent ?? '',
    description: row.querySelector('.label-description')?.textContent ?? '',
    level: Number(row.getAttribute('aria-level')),
    ariaLabel: row.getAttribute('aria-label'),
  })));
}

/** Waits until the view's rows satisfy `predicate` (it refreshes as the server answers); returns them. */
async function waitForRows(page, pane, predicate, what) {
  const deadline = Date.now() + STEP_TIMEOUT;
  let rows = [];
  for (;;) {
    rows = (await backlogRows(pane)).map((row) => ({ ...row, label: plain(row.label), description: plain(row.description) }));
    if (predicate(rows)) {
      return rows;
    }
    if (Date.now() > deadline) {
      throw new Error(`the Backlog view never showed ${what}; its rows: ${JSON.stringify(rows)}`);
    }
    await page.waitForTimeout(250);
  }
}

/** Whether `rows` hold every expected section, in order, each with its progress label. */
function showsSections(rows, sections) {
  const shown = rows.filter((row) => sections.some((section) => section.title === row.label));
  return shown.length === sections.length
    && sections.every((section, index) => shown[index].label === section.title && shown[index].description.includes(section.progress));
}

/** Runs a command from the palette by its title, as a user types it. */
async function runCommand(page, title) {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** The cursor's line (1-based) from the status bar's "Ln 12, Col 4". */
async function cursorLine(page) {
  const text = await page.locator('#status\\.editor\\.selection').innerText();
  const match = text.match(/Ln (\d+)/);
  return match ? Number(match[1]) : null;
}

/** The output channels the extension host wrote to disk (code-server keeps them under logs/). */
function outputChannelLogs() {
  const found = {};
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/backlog/i.test(entry.name) && entry.name.endsWith('.log')) found[path] = readFileSync(path, 'utf8');
    }
  };
  walk(join(config.userDataDir, 'logs'));
  return found;
}

/** The Python processes among code-server's descendants: the language server the extension started. */
function serverProcesses() {
  const children = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(Number(pid));
    } catch {
      // The process ended while we looked.
    }
  }
  const servers = [];
  const visit = (pid) => {
    for (const child of children.get(pid) ?? []) {
      try {
        const executable = readlinkSync(`/proc/${child}/exe`);
        if (/^python/.test(basename(executable))) {
          const argv = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean);
          servers.push({ pid: child, executable, argv });
        }
      } catch {
        // The process ended while we looked.
      }
      visit(child);
    }
  };
  visit(codeServer.pid);
  return servers;
}

async function main() {
  await step('install the .vsix into a fresh code-server', async () => installExtension());
  const url = await step('start code-server', () => startCodeServer());
  observed.url = url;

  const page = await step('start Chromium', async () => {
    context = await chromium.launchPersistentContext(config.browserProfile, {
      executablePath: config.chromium,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // Containers often give /dev/shm 64 MB, too little for Chromium's renderer.
        '--disable-dev-shm-usage',
      ],
    });
    context.setDefaultTimeout(STEP_TIMEOUT);
    return context.pages()[0] ?? (await context.newPage());
  });

  await step('open the workspace in VS Code', async () => {
    await page.goto(`${url}/?folder=${encodeURIComponent(config.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
  });

  await step(`open ${config.backlogName} from the Explorer`, async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: config.backlogName }).click();
    await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
  });

  const pane = await step('the Backlog view lists the sections with their progress', async () => {
    // The folder's pane collapsed, as a user does to give the Backlog view the room.
    const folderHeader = page.locator('.explorer-viewlet .pane-header', { hasText: new RegExp(`^\\s*${basename(config.workspace)}\\s*$`, 'i') });
    if ((await folderHeader.getAttribute('aria-expanded')) === 'true') {
      await folderHeader.click();
    }
    const found = await backlogPane(page);
    // A wider side bar, as a user drags it, so that the rows show their figures whole.
    const sideBar = await page.locator('#workbench\\.parts\\.sidebar').boundingBox();
    if (sideBar) {
      const edge = { x: sideBar.x + sideBar.width + 1, y: sideBar.y + sideBar.height / 2 };
      await page.mouse.move(edge.x, edge.y);
      await page.mouse.down();
      await page.mouse.move(edge.x + 200, edge.y, { steps: 5 });
      await page.mouse.up();
    }
    observed.backlogRows = await waitForRows(page, found, (rows) => showsSections(rows, config.backlogView.sections), 'every section with its progress');
    return found;
  });

  await step(`the heading "${config.backlogView.heading.text}" shows its progress as an inlay hint`, async () => {
    const line = page.locator('.monaco-editor .view-line', { hasText: plain(config.backlogView.heading.text) }).first();
    await line.waitFor({ state: 'visible' });
    // Monaco draws an inlay hint as text after the line's own (its padding a span of its own).
    await page.waitForFunction(({ text, hint }) => [...document.querySelectorAll('.monaco-editor .view-line')]
      .map((element) => element.textContent.replace(/\u00a0/g, ' '))
      .some((line) => line.startsWith(text) && line.endsWith(hint)),
    config.backlogView.heading);
    observed.headingLine = await renderedLineStartingWith(page, config.backlogView.heading.text);
  });

  await step(`a click on "${config.backlogView.reveal.title}" in the Backlog view puts the cursor on its line`, async () => {
    await pane.locator('.monaco-list-row', { hasText: config.backlogView.reveal.title }).first().click();
    await page.waitForFunction((line) => {
      const status = document.querySelector('#status\\.editor\\.selection');
      return status !== null && new RegExp(`Ln ${line},`).test(status.textContent);
    }, config.backlogView.reveal.line);
    observed.revealedLine = await cursorLine(page);
  });

  await step('the filters: tasks ready to start, then open tasks, then all again', async () => {
    const hasTask = (rows, name) => rows.some((row) => row.label === name);
    // The section's tasks shown: its twistie opens it (a click on its name went to its line).
    const section = pane.locator('.monaco-list-row', { hasText: config.backlogView.reveal.title }).first();
    if ((await section.getAttribute('aria-expanded')) === 'false') {
      await section.locator('.monaco-tl-twistie').click();
    }
    await runCommand(page, 'Backlog: Show Tasks Ready to Start');
    observed.readyRows = await waitForRows(page, pane, (rows) => hasTask(rows, config.backlogView.readyTask) && !hasTask(rows, config.backlogView.doneTask), 'only the tasks ready to start');
    await runCommand(page, 'Backlog: Show Open Tasks');
    observed.openRows = await waitForRows(page, pane, (rows) => hasTask(rows, config.backlogView.readyTask) && !hasTask(rows, config.backlogView.doneTask), 'only the open tasks');
    await runCommand(page, 'Backlog: Show All Tasks');
    observed.allRows = await waitForRows(page, pane, (rows) => hasTask(rows, config.backlogView.doneTask), 'every task again');
  });

  await step('the screenshot of the Backlog view beside the inlay hints', async () => {
    await goTo(page, 1, 1);
    for (const path of config.backlogView.screenshots) {
      mkdirSync(dirname(path), { recursive: true });
      await page.screenshot({ path, animations: 'disabled' });
    }
    observed.backlogScreenshots = config.backlogView.screenshots;
  });

  await step(`go to line ${config.toggle.line}: the placeholder is a hint (a dotted underline, its hover)`, async () => {
    await goTo(page, config.toggle.line, config.toggle.column);
    await page.locator('.monaco-editor .view-line', { hasText: plain(config.toggle.before) }).first().waitFor({ state: 'visible' });
    observed.lineBeforeToggle = await renderedLineStartingWith(page, config.toggle.before);
    await page.locator('.monaco-editor .squiggly-hint').first().waitFor({ state: 'attached' });
    observed.hintDecorationsBeforeToggle = await page.locator('.monaco-editor .squiggly-hint').count();
    observed.hintHover = await hoverAtCursor(page, config.hint.message);
    await page.keyboard.press('Escape');
  });

  await step('Alt+C toggles the task under the cursor', async () => {
    await page.keyboard.press('Alt+C');
    await page.locator('.monaco-editor .view-line', { hasText: plain(config.toggle.after) }).first()
      .waitFor({ state: 'visible' })
      .catch(async () => {
        throw new Error(`line ${config.toggle.line} does not read ${JSON.stringify(config.toggle.after)}`);
      });
    observed.lineAfterToggle = await renderedLineStartingWith(page, config.toggle.after);
  });

  await step('the Backlog view follows the edit: the section of the ticked task shows its new progress', async () => {
    observed.backlogRowsAfterToggle = await waitForRows(page, pane, (rows) => showsSections(rows, config.backlogView.sectionsAfterToggle), 'the new progress');
  });

  await step('Ctrl+Shift+M: the Problems panel lists the warning', async () => {
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    const labels = () => rows.evaluateAll((elements) => elements.map((row) => row.getAttribute('aria-label')).join('\n'));
    try {
      await rows.filter({ hasText: config.warning.message }).first().waitFor({ state: 'visible' });
      // The panel renders marker changes as they arrive: read it once it has held still for 1 s (10 s at most).
      let before = await labels();
      for (let round = 0; round < 10; round += 1) {
        await page.waitForTimeout(1000);
        const now = await labels();
        if (now === before) break;
        before = now;
      }
    } finally {
      observed.problems = (await rows.allInnerTexts()).map((row) => plain(row).replace(/\s+/g, ' ').trim());
      observed.problemRows = await rows.evaluateAll((elements) => elements.map((row) => row.getAttribute('aria-label')));
    }
  });

  await step(`hover "RFC" on line ${config.rfcHover.line}`, async () => {
    await goTo(page, config.rfcHover.line, config.rfcHover.column);
    observed.rfcHover = await hoverAtCursor(page, config.rfcHover.expect);
    await page.keyboard.press('Escape');
  });

  await step(`hover the placeholder on line ${config.toggle.line} and take the screenshot`, async () => {
    await goTo(page, config.toggle.line, config.toggle.column);
    await hoverAtCursor(page, config.warning.message);
    // The hover fills in as each provider answers: wait until none is still loading.
    await page.waitForFunction(() => [...document.querySelectorAll('.monaco-hover-content')]
      .every((hover) => !hover.innerText.includes('Loading...')));
    // A diagnostic's hover asks for its quick fixes after it shows: wait for the answer in its status bar.
    await page.waitForFunction((message) => [...document.querySelectorAll('.monaco-hover-content')]
      .some((hover) => hover.innerText.includes(message)
        && /Quick Fix|No quick fixes available/.test(hover.innerText)), config.warning.message);
    observed.warningHover = plain(await page.locator('.monaco-hover-content', { hasText: config.warning.message }).first().innerText());
    for (const path of config.screenshots) {
      mkdirSync(dirname(path), { recursive: true });
      await page.screenshot({ path, animations: 'disabled' });
    }
    observed.screenshots = config.screenshots;
  });

  await step('find the language server process and the extension\'s output channel', async () => {
    observed.serverProcesses = serverProcesses();
    observed.outputChannels = outputChannelLogs();
  });
  result.ok = true;
}

function logTail(lines = 60) {
  try {
    const text = readFileSync(config.codeServerLog, 'utf8').split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no code-server log)';
  }
}

/** Whether any process of code-server's process group (its extension host, the server, ...) runs. */
function groupRunning(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopAll() {
  if (context) await context.close().catch(() => {});
  if (codeServer?.pid === undefined) return;
  // code-server runs in its own process group (detached): end the group, not only its first process.
  const pgid = codeServer.pid;
  for (const [signal, graceMs] of [['SIGTERM', 5000], ['SIGKILL', 5000]]) {
    if (!groupRunning(pgid)) return;
    process.kill(-pgid, signal);
    const deadline = Date.now() + graceMs;
    while (groupRunning(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  await main();
} catch (error) {
  result.failedStep = currentStep;
  result.error = String(error?.stack ?? error);
  if (context) {
    const page = context.pages()[0];
    if (page) {
      mkdirSync(dirname(config.failureScreenshot), { recursive: true });
      await page.screenshot({ path: config.failureScreenshot }).catch(() => {});
      result.failureScreenshot = config.failureScreenshot;
    }
  }
} finally {
  await stopAll();
  try {
    result.logTail = logTail();
    result.extensionHostLog = Object.fromEntries(
      Object.entries(outputChannelLogs()).map(([path, text]) => [path, text.split('\n').slice(-40).join('\n')]),
    );
  } catch {
    // The user data folder may not exist when the first step failed.
  }
  writeFileSync(config.result, JSON.stringify(result, null, 2));
}
process.exit(result.ok ? 0 : 1);
