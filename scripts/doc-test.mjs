#!/usr/bin/env node
// Runs every TypeScript/JavaScript code block of every README (root, packages, apps) against the
// BUILT packages, as a user who copies the block would run it: `@tconv/*` resolves to the
// packages' `dist/` through their package.json exports (linked into a scratch node_modules).
//
// - The blocks of one README run in order in one module: each block in its own scope, the
//   imports of all blocks hoisted (a block may use what an earlier block of the same README
//   imported, as readers do).
// - A line `expression; // value` whose comment starts with a number, an array or
//   `Float32Array [...]` / `Float64Array [...]` is checked: the expression must print as the
//   comment says (numbers to the precision the comment shows).
// - A block preceded by `<!-- not-run: reason -->` is skipped (the reason is required).
// - Failures name the README and the line of the block, and the script exits 1.
//
// Usage: node scripts/doc-test.mjs [README paths…]   (default: every README of the repository)
//
// One file over 300 lines on purpose: a standalone script with no dependency but TypeScript's
// transpiler, in four parts — extraction, instrumentation of the value/error comments, the module
// built per README, and the self-test that runs first.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(join(root, 'package.json'))('typescript');

const LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'tsx']);
const NOT_RUN = /<!--\s*not-run:\s*(\S[^>]*?)\s*-->/;

/** Every README.md of the root, packages/* and apps/* (and their subfolders, node_modules aside). */
function findReadmes() {
  const out = [join(root, 'README.md')];
  const walk = (dir, depth) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < 3) walk(path, depth + 1);
      else if (entry.isFile() && entry.name === 'README.md') out.push(path);
    }
  };
  for (const top of ['packages', 'apps', 'tools']) if (existsSync(join(root, top))) walk(join(root, top), 0);
  return out;
}

/** The fenced code blocks of a markdown text: { lang, code, line (1-based, of the first code line), skip }. */
export function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const lang = open[3].toLowerCase();
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(fence)) j++;
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const marker = k >= 0 ? NOT_RUN.exec(lines[k]) : null;
    blocks.push({
      lang,
      code: lines.slice(i + 1, j).join('\n'),
      line: i + 2,
      skip: marker ? marker[1] : undefined,
    });
    i = j;
  }
  return blocks;
}

/** The value a `// comment` states, as { value, decimals } — or undefined when it states none. */
export function statedValue(comment) {
  let text = comment.trim();
  let typed = false;
  const m = /^(Float32Array|Float64Array|Int32Array|Uint8Array)\s*/.exec(text);
  if (m) {
    typed = true;
    text = text.slice(m[0].length);
  }
  let end;
  if (text.startsWith('[')) {
    let depth = 0;
    for (end = 0; end < text.length; end++) {
      if (text[end] === '[') depth++;
      else if (text[end] === ']' && --depth === 0) break;
    }
    if (depth !== 0) return undefined;
    end++;
  } else {
    const n = /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?/i.exec(text);
    if (!n || typed) return undefined;
    end = n[0].length;
  }
  const rest = text.slice(end);
  // "4 9 16" or "[1, 2] [3, 4]": several values, not one
  if (/^\s*[-\d[]/.test(rest) || /^\s*,/.test(rest) || /^[\w.]/.test(rest)) return undefined;
  const literal = text.slice(0, end).replace(/…|\.\.\./g, '');
  if (literal !== text.slice(0, end)) return undefined; // elided values cannot be compared
  try {
    return { value: JSON.parse(literal), literal };
  } catch {
    return undefined;
  }
}

/** Rewrites `expression; // value` lines (and `expression;` followed by `// XError: message`) into checks. */
function instrument(code, file, firstLine) {
  const lines = code.split('\n');
  return lines
    .map((line, i) => {
      const next = /^\s*\/\/\s*([A-Z]\w*Error)\b:?\s*(.*)$/.exec(lines[i + 1] ?? '');
      const statement = /^(\s*)([^/\s].*?);\s*$/.exec(line);
      if (next && statement && !/^(const|let|var|import|export|return)\b/.test(statement[2])) {
        const where = `${relative(root, file)}:${firstLine + i}`;
        const message = next[2].split('…')[0].trim();
        return `${statement[1]}__docThrows(() => (${statement[2]}), ${JSON.stringify(next[1])}, ${JSON.stringify(message)}, ${JSON.stringify(where)});`;
      }
      const m = /^(\s*)([^/].*?);\s*\/\/\s*(.+)$/.exec(line);
      if (!m) return line;
      const [, indent, expr, comment] = m;
      if (/^(const|let|var|import|export|return|await\s+using|throw|if|for|while)\b/.test(expr.trim()))
        return line;
      if (/[{([]\s*$/.test(expr)) return line;
      if (/^console\.\w+\(/.test(expr.trim())) return line; // what it prints, not what it returns
      const thrown = /^([A-Z]\w*Error)\b:?\s*(.*)$/.exec(comment.trim());
      if (thrown) {
        const where = `${relative(root, file)}:${firstLine + i}`;
        const message = thrown[2].split('…')[0].trim();
        const call = /\bawait\b/.test(expr) ? 'await __docRejects(async () => ' : '__docThrows(() => ';
        return `${indent}${call}(${expr}), ${JSON.stringify(thrown[1])}, ${JSON.stringify(message)}, ${JSON.stringify(where)});`;
      }
      const stated = statedValue(comment);
      if (!stated) return line;
      const where = `${relative(root, file)}:${firstLine + i}`;
      return `${indent}__docCheck((${expr}), ${JSON.stringify(stated.literal)}, ${JSON.stringify(where)});`;
    })
    .join('\n');
}

const transpile = (code) =>
  ts.transpileModule(code, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      isolatedModules: true,
    },
    reportDiagnostics: true,
  });

const IMPORT =
  /^\s*import\s+(?:([\w$]+)\s*,?\s*)?(?:\*\s+as\s+([\w$]+)|\{([^}]*)\})?\s*(?:from\s+)?(['"])([^'"]+)\4;?\s*$/;

/** Splits transpiled code into import statements and the rest. */
function splitImports(js) {
  const imports = [];
  const body = [];
  // join multi-line imports first
  const joined = js.replace(/^import\s*\{[^}]*\}\s*from\s*['"][^'"]+['"];?/gms, (s) => s.replace(/\n/g, ' '));
  for (const line of joined.split('\n')) {
    const m = IMPORT.exec(line);
    if (m && line.trimStart().startsWith('import'))
      imports.push({ def: m[1], ns: m[2], named: m[3], from: m[5], line });
    else body.push(line);
  }
  return { imports, body: body.join('\n') };
}

const CHECK_HELPER = `
const __docFailures = [];
function __docShow(v) {
  if (ArrayBuffer.isView(v)) return v.constructor.name + ' ' + JSON.stringify(Array.from(v));
  try { return JSON.stringify(v); } catch { return String(v); }
}
function __docSame(actual, expected, literal) {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return false;
    const decimals = (/\\.(\\d+)/.exec(literal) || ['', ''])[1].length;
    return Math.abs(actual - expected) <= (decimals ? 0.5 * 10 ** -decimals : 0) + 1e-9 * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(expected)) {
    const list = ArrayBuffer.isView(actual) || Array.isArray(actual) ? Array.from(actual) : undefined;
    if (!list || list.length !== expected.length) return false;
    const parts = literal.slice(1, -1).split(',');
    return expected.every((e, i) => __docSame(list[i], e, Array.isArray(e) ? JSON.stringify(e) : (parts[i] ?? String(e)).trim()));
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}
function __docThrows(run, name, message, where) {
  try {
    run();
  } catch (e) {
    if (e && e.name === name && String(e.message).includes(message)) return;
    __docFailures.push(where + ': the comment says it throws ' + name + ': ' + message + ', but it throws ' + (e && e.name) + ': ' + (e && e.message));
    return;
  }
  __docFailures.push(where + ': the comment says it throws ' + name + ', but it returns');
}
async function __docRejects(run, name, message, where) {
  try {
    await run();
  } catch (e) {
    if (e && e.name === name && String(e.message).includes(message)) return;
    __docFailures.push(where + ': the comment says it rejects with ' + name + ': ' + message + ', but it rejects with ' + (e && e.name) + ': ' + (e && e.message));
    return;
  }
  __docFailures.push(where + ': the comment says it rejects with ' + name + ', but it resolves');
}
function __docCheck(actual, literal, where) {
  const expected = JSON.parse(literal.replace(/^(Float32Array|Float64Array|Int32Array|Uint8Array)\\s*/, ''));
  if (!__docSame(actual, expected, literal))
    __docFailures.push(where + ': the comment says ' + literal + ', but the code gives ' + __docShow(actual));
}
`;

/** Builds the module for one README; returns { source, skipped, problems }. */
function moduleFor(file) {
  const blocks = extractBlocks(readFileSync(file, 'utf8')).filter((b) => LANGS.has(b.lang));
  const imports = new Map(); // local name -> { from, spec }
  const statements = [];
  const bodies = [];
  const skipped = [];
  const problems = [];
  for (const block of blocks) {
    const where = `${relative(root, file)}:${block.line}`;
    if (block.skip) {
      skipped.push(`${where} (${block.skip})`);
      continue;
    }
    const out = transpile(instrument(block.code, file, block.line));
    const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length) {
      problems.push(
        `${where}: does not parse: ${ts.flattenDiagnosticMessageText(errors[0].messageText, ' ')}`,
      );
      continue;
    }
    const { imports: found, body } = splitImports(out.outputText.replace(/^export\s*\{\s*\};?\s*$/m, ''));
    for (const imp of found) {
      const names = [];
      if (imp.def) names.push([imp.def, `default`]);
      if (imp.ns) names.push([imp.ns, '*']);
      for (const part of (imp.named ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const [orig, local = orig] = part.split(/\s+as\s+/);
        names.push([local, orig]);
      }
      const load = (pattern) =>
        `const ${pattern} = await import(${JSON.stringify(imp.from)}).catch((e) => { __docFailures.push(${JSON.stringify(where)} + ': cannot import ' + ${JSON.stringify(imp.from)} + ': ' + e.message); return {}; });`;
      if (names.length === 0) statements.push(load(`__sideEffect${statements.length}`));
      for (const [local, orig] of names) {
        const seen = imports.get(local);
        if (seen && (seen.from !== imp.from || seen.orig !== orig)) {
          problems.push(
            `${where}: imports ${local} from ${imp.from}, but an earlier block of this README imports it from ${seen.from}`,
          );
          continue;
        }
        if (seen) continue;
        imports.set(local, { from: imp.from, orig });
        statements.push(
          orig === '*' ? load(local) : load(`{ ${orig === 'default' ? 'default' : orig}: ${local} }`),
        );
      }
    }
    bodies.push(
      `// ${where}\ntry {\n${body}\n} catch (e) {\n  __docFailures.push(${JSON.stringify(where)} + ': the block throws ' + (e && e.stack ? e.stack.split('\\n').slice(0, 3).join(' | ') : String(e)));\n}`,
    );
  }
  const source = [
    CHECK_HELPER,
    ...statements,
    ...bodies,
    `for (const f of __docFailures) console.error('FAIL ' + f);\nprocess.exitCode = __docFailures.length ? 1 : 0;\nsetTimeout(() => process.exit(), 0).unref();`,
  ].join('\n');
  return { source, skipped, problems, count: bodies.length };
}

/**
 * A scratch folder whose node_modules links every workspace package (their built dist). One per
 * run: with one fixed folder a second run (another terminal, a second `npm test`) deleted the
 * first's working directory under it, and the first run's wasm worker threads then failed to
 * start with `ENOENT: uv_cwd`. {@link main} removes it when the run ends.
 */
function scratch() {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'tconv-doc-test-'));
  mkdirSync(join(dir, 'node_modules', '@tconv'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  for (const top of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, top))) {
      const manifest = join(root, top, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      if (pkg.name?.startsWith('@tconv/'))
        symlinkSync(join(root, top, name), join(dir, 'node_modules', pkg.name), 'dir');
    }
  }
  return dir;
}

/** A README whose comments are partly wrong: the checker must flag exactly the wrong ones. */
const SELF_TEST = [
  '# self-test',
  '',
  '```ts',
  "import { convTransposeOutputShape, convTransposeOutputSize } from '@tconv/core';",
  'convTransposeOutputSize(4, 3, { stride: 4, outputPadding: 1 }); // 16',
  'convTransposeOutputSize(4, 3, { stride: 4, outputPadding: 1 }); // 17',
  'convTransposeOutputShape([1, 3, 2, 2], [3, 1, 3, 3], { stride: 2, outputPadding: 1 }); // [1, 1, 6, 7]',
  'convTransposeOutputSize(4, 3, { stride: 0 }); // OptionError: stride',
  'convTransposeOutputSize(4, 3, { stride: 1 }); // OptionError: stride',
  'await Promise.reject(Object.assign(new Error("stride 0"), { name: "OptionError" })); // OptionError: stride 0',
  '```',
  '',
  '<!-- not-run: proves that marked blocks are skipped -->',
  '```ts',
  'undefinedFunction();',
  '```',
  '',
  '```js',
  'undefinedVariable.x;',
  '```',
].join('\n');

/** Runs SELF_TEST and exits 2 unless the checker reports exactly its three wrong comments and its throwing block. */
function selfTest(dir) {
  const file = join(dir, 'self-test', 'README.md');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, SELF_TEST);
  const { source, skipped } = moduleFor(file);
  const script = join(dir, 'self-test.mjs');
  writeFileSync(script, source);
  const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('FAIL'));
  const expected = [
    /:6: the comment says 17, but the code gives 16$/,
    /:7: .*\[1, 1, 6, 7\]/,
    /:9: .*throws OptionError, but it returns/,
    /:19: the block throws ReferenceError/,
  ];
  const ok =
    r.status === 1 &&
    lines.length === expected.length &&
    expected.every((re, i) => re.test(lines[i])) &&
    skipped.length === 1;
  if (!ok) {
    console.error(`doc-test: the self-test did not catch what it should:\n${r.stderr}`);
    process.exit(2);
  }
}

function main() {
  const files = process.argv.slice(2).length ? process.argv.slice(2).map((f) => resolve(f)) : findReadmes();
  for (const [name, dist] of [
    ['core', 'packages/core/dist/index.js'],
    ['backend-cpu', 'packages/backend-cpu/dist/index.js'],
  ]) {
    if (!existsSync(join(root, dist))) {
      console.error(
        `doc-test: ${dist} is missing: build the packages first (turbo run build); ${name} is needed`,
      );
      process.exit(2);
    }
  }
  const dir = scratch();
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  selfTest(dir);
  let failed = 0;
  let ran = 0;
  for (const file of files) {
    const { source, skipped, problems, count } = moduleFor(file);
    const rel = relative(root, file);
    for (const s of skipped) console.log(`skip ${s}`);
    for (const p of problems) {
      console.error(`FAIL ${p}`);
      failed++;
    }
    if (count === 0) continue;
    const script = join(dir, `${rel.replace(/[\\/]/g, '__')}.mjs`);
    writeFileSync(script, source);
    // each README in its own process, from the scratch folder, so imports resolve as a user's would
    const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    ran += count;
    if (r.status === 0) console.log(`ok   ${rel} (${count} block${count === 1 ? '' : 's'})`);
    else {
      failed++;
      const out = `${r.stderr}${r.error ? `\n${r.error.message}` : ''}`.trim();
      console.error(out.startsWith('FAIL') ? out : `FAIL ${rel}: ${out || `exit ${r.status}`}`);
    }
  }
  console.log(
    `doc-test: ${ran} blocks in ${files.length} READMEs, ${failed ? `${failed} failing` : 'all ran'}`,
  );
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
