import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaticServer } from '../src/index';
import { launchChromium, serveStatic } from '../src/index';

const PAGE = `<!doctype html><meta charset="utf-8"><title>t</title><script type="module">
  window.result = { isolated: crossOriginIsolated, sab: typeof SharedArrayBuffer, gpu: typeof navigator.gpu };
  if (navigator.gpu) {
    const adapter = await navigator.gpu.requestAdapter();
    const device = await adapter.requestDevice();
    const buf = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const module = device.createShaderModule({ code: '@group(0) @binding(0) var<storage, read_write> o: array<f32>;' +
      '@compute @workgroup_size(4) fn main(@builtin(global_invocation_id) i: vec3u) { o[i.x] = f32(i.x) * 2.0 + 1.0; }' });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
    const enc = device.createCommandEncoder(); const pass = enc.beginComputePass();
    pass.setPipeline(pipeline); pass.setBindGroup(0, bind); pass.dispatchWorkgroups(1); pass.end();
    enc.copyBufferToBuffer(buf, 0, read, 0, 16); device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ); window.result.values = Array.from(new Float32Array(read.getMappedRange()));
  }
  window.done = true;
</script>`;

describe('browser-testing', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await serveStatic('/nonexistent-root', {
      routes: { '/index.html': { body: PAGE, type: 'text/html; charset=utf-8' } },
    });
  });
  afterAll(() => server.close());

  it('serves an isolated page and runs a WebGPU compute shader on SwiftShader', async () => {
    const browser = await launchChromium({ webgpu: true });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}index.html`);
      await page.waitForFunction('window.done === true', undefined, { timeout: 30_000 });
      const result = await page.evaluate('window.result');
      expect(result).toEqual({ isolated: true, sab: 'function', gpu: 'object', values: [1, 3, 5, 7] });
    } finally {
      await browser.close();
    }
  });

  it('refuses paths outside the root and answers 404 for missing files', async () => {
    const missing = await fetch(`${server.url}nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const outside = await fetch(`${server.url}..%2f..%2fetc%2fpasswd`);
    expect(outside.status).toBe(403);
  });
});
