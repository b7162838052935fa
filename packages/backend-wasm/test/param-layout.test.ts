import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wasmBytes } from '@tconv/backend-wasm';
import { assemblyScriptConstants, BLOCKS, layoutChecksum, wordIndex } from '../src/internal';

describe('one schema for the JavaScript ↔ AssemblyScript parameter blocks', () => {
  it('assembly/layout.generated.ts is what src/param-layout.ts generates', () => {
    const committed = readFileSync(new URL('../assembly/layout.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(assemblyScriptConstants());
  });

  it('both shipped binaries were built from this schema (their layoutVersion() is its checksum)', async () => {
    for (const shared of [false, true]) {
      const module = await WebAssembly.compile(wasmBytes(shared) as Uint8Array<ArrayBuffer>);
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 16384, shared: true });
      const instance = await WebAssembly.instantiate(module, shared ? { env: { memory } } : {});
      expect((instance.exports.layoutVersion as () => number)()).toBe(layoutChecksum());
    }
  });

  it('the checksum changes with any word of the schema (a reordered block is caught)', () => {
    const before = layoutChecksum();
    const words = BLOCKS.phases.words as unknown as string[];
    [words[0], words[1]] = [words[1]!, words[0]!];
    try {
      expect(layoutChecksum()).not.toBe(before);
    } finally {
      [words[0], words[1]] = [words[1]!, words[0]!];
    }
    expect(layoutChecksum()).toBe(before);
  });

  it('no kernel source reads a parameter by a bare index', () => {
    for (const file of ['direct.ts', 'phases.ts', 'thin.ts', 'phase-common.ts', 'weight-gradient.ts']) {
      const source = readFileSync(new URL(`../assembly/${file}`, import.meta.url), 'utf8');
      expect(source).not.toMatch(/word\(p, \d+\)|entryWord\(\w+, \d+\)|load<i32>\((entry|info|e|a), \d+\)/);
    }
  });

  it('word indices follow the schema order and every generated constant names one', () => {
    const generated = assemblyScriptConstants();
    const index = wordIndex('weightGradient');
    BLOCKS.weightGradient.words.forEach((word, i) => {
      expect(index[word]).toBe(i);
    });
    expect(generated).toContain('export const WEIGHT_GRADIENT_C1: i32 = 15;');
    expect(generated).toContain(
      `export const PHASE_ENTRY_BYTES: i32 = ${BLOCKS.phaseEntry.words.length * 4};`,
    );
  });
});
