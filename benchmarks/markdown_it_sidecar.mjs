// The client half the VS Code Markdown language server needs: it asks its client to tokenize
// with markdown-it (`markdown/parse`) and to read the workspace (`markdown/fs/*`). This does what
// VS Code's Markdown extension does (tokens cached per document version, serialized on every
// reply), for lspbench's --sidecar protocol: one JSON-RPC request per line in, one response out.
// Taken from ../shared/tools/README.md.
import { createInterface } from 'node:readline';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: true });
const docs = new Map();
const strip = (t) => t.replace(/\u2028|\u2029/g, '');

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.md$/i.test(e.name)) out.push(pathToFileURL(p).toString());
  }
  return out;
}

function handle(m) {
  const p = m.params || {};
  if (m.doc?.text !== undefined) docs.set(m.doc.uri, { version: m.doc.version, text: m.doc.text });
  switch (m.method) {
    case 'markdown/parse': {
      if (typeof p.text === 'string') return md.parse(strip(p.text), {});
      const d = docs.get(p.uri);
      if (!d) return md.parse(fs.readFileSync(fileURLToPath(p.uri), 'utf8'), {});
      if (d.tokensVersion !== d.version) {
        d.tokens = md.parse(strip(d.text), {});
        d.tokensVersion = d.version;
      }
      return d.tokens;
    }
    case 'markdown/fs/readFile':
      return Array.from(fs.readFileSync(fileURLToPath(p.uri)));
    case 'markdown/fs/stat':
      try {
        return { isDirectory: fs.statSync(fileURLToPath(p.uri)).isDirectory() };
      } catch {
        return null;
      }
    case 'markdown/fs/readDirectory':
      return fs
        .readdirSync(fileURLToPath(p.uri), { withFileTypes: true })
        .map((e) => [e.name, { isDirectory: e.isDirectory() }]);
    case 'markdown/findMarkdownFilesInWorkspace':
      return m.rootUri ? walk(fileURLToPath(m.rootUri), []) : [];
    case 'markdown/fs/watcher/create':
    case 'markdown/fs/watcher/delete':
      return null;
    default: {
      const e = new Error(`unhandled ${m.method}`);
      e.code = -32601;
      throw e;
    }
  }
}

createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  let m;
  try {
    m = JSON.parse(line);
  } catch {
    return;
  }
  let r;
  try {
    r = { jsonrpc: '2.0', id: m.id, result: handle(m) ?? null };
  } catch (e) {
    r = { jsonrpc: '2.0', id: m.id, error: { code: e.code ?? -32603, message: String(e.message ?? e) } };
  }
  process.stdout.write(JSON.stringify(r) + '\n');
});
