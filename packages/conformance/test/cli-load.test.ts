import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli-args';
import { exportOrder, isBackend } from '../src/cli-load';

describe('exportOrder: the order a module text exports its names in', () => {
  it('follows declarations, default and export lists as they appear (a namespace sorts them)', () => {
    const text = `const hidden = 1;
export const zeta = {};
export async function createThing() {}
export default zeta;
export { alpha, beta as gamma, type Omitted };
export class Klass {}`;
    expect(exportOrder(text)).toEqual([
      'zeta',
      'createThing',
      'default',
      'alpha',
      'gamma',
      'Omitted',
      'Klass',
    ]);
  });

  it('keeps the order of an esbuild export clause', () => {
    expect(exportOrder('var a=1;\nexport {\n  wasmBackend,\n  createWasmBackend as create\n};\n')).toEqual([
      'wasmBackend',
      'create',
    ]);
  });
});

describe('isBackend', () => {
  it('wants a name, convTranspose and conv', () => {
    const f = () => undefined;
    expect(isBackend({ name: 'b', convTranspose: f, conv: f })).toBe(true);
    for (const v of [null, {}, { name: 'b', convTranspose: f }, { name: 1, convTranspose: f, conv: f }, f])
      expect(isBackend(v)).toBe(false);
  });
});

describe('parseArgs', () => {
  it('accepts --flag=value and -- before a module that starts with a dash', () => {
    expect(parseArgs(['--timeout=250', '--filter=d2l', '--', '-odd.js'])).toEqual({
      kind: 'run',
      options: { module: '-odd.js', json: false, filter: 'd2l', timeoutMs: 250 },
    });
  });

  it('rejects a flag given twice', () => {
    expect(parseArgs(['m.js', '--filter', 'a', '--filter', 'b'])).toEqual({
      kind: 'usage',
      message: '--filter given twice',
    });
  });
});
