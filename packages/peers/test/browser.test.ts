import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as browser from '@tconv/peers/browser';

// The browser entry must not reach Node: a page bundles it with the engine module it imports itself.
function imports(file: string): string[] {
  const text = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)].map((m) => m[1]!);
}

describe('@tconv/peers/browser', () => {
  it('imports nothing from Node, directly or through its own modules', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of imports(file)) {
        expect(spec, `${file} imports ${spec}`).not.toMatch(
          /^node:|^onnxruntime-node$|^@tensorflow\/tfjs-backend-(cpu|wasm)$/,
        );
        if (spec.startsWith('./')) visit(`${spec.slice(2)}.ts`);
      }
    };
    visit('browser.ts');
    expect([...seen]).toContain('onnxruntime.ts');
    expect([...seen]).not.toContain('node.ts');
  });

  it('makes WebGPU peers from the modules a page hands over', () => {
    const fakeOrt = {
      InferenceSession: { create: async () => ({ run: async () => ({}), release: async () => {} }) },
      Tensor: class {
        constructor(
          readonly type: string,
          readonly data: unknown,
          readonly dims: readonly number[],
        ) {}
      },
    };
    const peer = browser.onnxruntimeWebGpuPeer(fakeOrt, '1.30.0');
    expect(peer.info).toEqual({
      name: 'onnxruntime-web-webgpu',
      version: '1.30.0',
      runtime: 'WebGPU (browser)',
    });
    expect(peer.cannotExpress('convTranspose', [1, 1, 3], [1, 1, 3], { stride: 2 })).toBeUndefined();
    expect(typeof browser.tfjsWebGpuPeer).toBe('function');
  });
});
