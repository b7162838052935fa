// The README's WebGPU blocks, run as written in headless Chromium (WebGPU on SwiftShader). The
// root doc test (scripts/doc-test.mjs) runs README blocks in Node, where WebGPU does not exist, so
// these blocks carry a not-run marker naming this file; here each one runs in the page and every
// `expression; // value` line's value is compared with what the comment states.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPage } from './harness';
import { bundleSource, openPage } from './harness';

const readmePath = join(dirname(dirname(fileURLToPath(import.meta.url))), 'README.md');
const MARKER = /<!--\s*not-run:[^>]*test\/readme\.test\.ts[^>]*-->/;

interface Block {
  /** 1-based README line of the block's first code line. */
  readonly line: number;
  readonly code: string[];
}

/** The fenced ts blocks whose preceding non-blank line is a not-run marker naming this file. */
function markedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i]!)) continue;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.startsWith('```')) j++;
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    if (k >= 0 && MARKER.test(lines[k]!)) blocks.push({ line: i + 2, code: lines.slice(i + 1, j) });
    i = j;
  }
  return blocks;
}

/** A stated value: the leading `[…]` (after an optional typed-array name) of a `// …` comment. */
function statedValue(comment: string): unknown {
  const text = comment.replace(/^(Float32Array|Float64Array|Int32Array|Uint8Array)\s*/, '');
  if (!text.startsWith('[')) return undefined;
  let depth = 0;
  for (let end = 0; end < text.length; end++) {
    if (text[end] === '[') depth++;
    else if (text[end] === ']' && --depth === 0) return JSON.parse(text.slice(0, end + 1));
  }
  return undefined;
}

interface Check {
  readonly where: string;
  readonly expected: unknown;
}

/** The page: one function per block, returning the values of its checked lines in order. */
function pageSource(blocks: readonly Block[]): { source: string; checks: Check[][] } {
  const imports = new Set<string>();
  const bodies: string[] = [];
  const checks: Check[][] = [];
  for (const block of blocks) {
    const mine: Check[] = [];
    const body = block.code.map((line, i) => {
      if (/^import\s.+from\s+'[^']+';$/.test(line)) {
        imports.add(line);
        return '';
      }
      const m = /^(\s*)([^/\s].*?);\s*\/\/\s*(.+)$/.exec(line);
      const expected = m && !/^(const|let|await|for|import)\b/.test(m[2]!) ? statedValue(m[3]!) : undefined;
      if (m === null || expected === undefined) return line;
      mine.push({ where: `README.md:${block.line + i}`, expected });
      return `${m[1]}__values.push(__plain(${m[2]}));`;
    });
    checks.push(mine);
    bodies.push(`async () => {\nconst __values: unknown[] = [];\n${body.join('\n')}\nreturn __values;\n}`);
  }
  const source = [
    ...imports,
    'const __plain = (v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v);',
    `(globalThis as { tconvPage?: unknown }).tconvPage = [${bodies.join(',\n')}];`,
  ].join('\n');
  return { source, checks };
}

const blocks = markedBlocks(readFileSync(readmePath, 'utf8'));
const { source, checks } = pageSource(blocks);
let page: TestPage;
beforeAll(async () => {
  page = await openPage(await bundleSource('readme', source));
}, 120_000);
afterAll(async () => page?.close());

describe('the README blocks that need WebGPU, in Chromium', () => {
  it('finds the marked blocks, each with lines whose values it checks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const c of checks) expect(c.length).toBeGreaterThan(0);
  });
  it.each(blocks.map((b, i) => [b.line, i] as const))(
    'the block at README.md:%i runs and gives the values its comments state',
    async (_line, i) => {
      const values = await page.call<unknown[]>(String(i));
      expect(page.pageErrors).toEqual([]);
      expect(values).toHaveLength(checks[i]!.length);
      checks[i]!.forEach((c, j) => expect(values[j], c.where).toEqual(c.expected));
    },
  );
});
