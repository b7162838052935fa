import { afterAll, describe, expect, it } from 'vitest';
import type { ConformanceCase } from '@tconv/conformance';
import { cases } from '@tconv/conformance';
import { allEngines, explain, runMatrix } from '../src/index';

// Each adapter on a few kit cases: one it passes, one it cannot express, and the onnxruntime
// auto_pad departure (SAME_UPPER, kernel 1 < stride 2 on 2 elements: the spec gives 4, onnxruntime 3).
const engines = allEngines();
afterAll(() => Promise.all(engines.map((e) => e.dispose?.())));

const byId = (id: string): ConformanceCase => {
  const c = cases.find((x) => x.id === id);
  if (!c) throw new Error(`no kit case ${id}`);
  return c;
};

const PASS = 'd2l/stride-2';
const ONE_D = 'divergences/output-padding-1d';
const GROUPS = 'divergences/depthwise';
const FLOAT64 = 'dtypes/convTranspose-float64';
const SAME_UPPER = 'divergences/auto-pad-same-upper-negative-total-1d';
const SAME_LOWER_2D = 'divergences/auto-pad-same-lower-negative-total-2d';

const matrix = await runMatrix(engines, {
  cases: [PASS, ONE_D, GROUPS, FLOAT64, SAME_UPPER, SAME_LOWER_2D].map(byId),
});
const status = (engine: string, id: string) =>
  matrix.results.find((r) => r.engine === engine && r.case === id);

describe('every engine on a few cases', () => {
  it('lists every engine with its version and runtime', () => {
    expect(matrix.engines.map((e) => e.name)).toEqual([
      'tconv-cpu',
      'tconv-sparse',
      'tconv-wasm',
      'tfjs-cpu',
      'tfjs-wasm',
      'onnxruntime-node',
      'onnxruntime-web',
    ]);
    for (const e of matrix.engines) {
      expect(e.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(e.runtime.length).toBeGreaterThan(3);
    }
    expect(matrix.results).toHaveLength(engines.length * 6);
  });

  for (const name of [
    'tconv-cpu',
    'tconv-sparse',
    'tconv-wasm',
    'tfjs-cpu',
    'tfjs-wasm',
    'onnxruntime-node',
    'onnxruntime-web',
  ])
    it(`${name} passes d2l's stride-2 example`, () => {
      expect(status(name, PASS)).toMatchObject({ status: 'pass', group: 'documents' });
    });

  it("tconv's backends pass every one of them (the control rows)", () => {
    for (const name of ['tconv-cpu', 'tconv-sparse', 'tconv-wasm'])
      for (const id of [ONE_D, GROUPS, SAME_UPPER, SAME_LOWER_2D])
        expect(status(name, id)?.status, `${name} ${id}`).toBe('pass');
  });

  it('tfjs cannot express 1D, groups, float64 or ONNX auto_pad: reported as cannot-express, never as fail', () => {
    for (const name of ['tfjs-cpu', 'tfjs-wasm']) {
      expect(status(name, ONE_D)).toMatchObject({
        status: 'cannot-express',
        message: expect.stringMatching(/1D/),
      });
      expect(status(name, GROUPS)).toMatchObject({
        status: 'cannot-express',
        message: expect.stringMatching(/groups/),
      });
      expect(status(name, FLOAT64)).toMatchObject({
        status: 'cannot-express',
        message: expect.stringMatching(/float64/),
      });
      expect(status(name, SAME_LOWER_2D)).toMatchObject({
        status: 'cannot-express',
        message: expect.stringMatching(/auto_pad/),
      });
    }
  });

  it('onnxruntime expresses 1D and groups, not float64', () => {
    for (const name of ['onnxruntime-node', 'onnxruntime-web']) {
      expect(status(name, ONE_D)?.status).toBe('pass');
      expect(status(name, GROUPS)?.status).toBe('pass');
      expect(status(name, FLOAT64)).toMatchObject({
        status: 'cannot-express',
        message: expect.stringMatching(/float64/),
      });
    }
  });

  it('onnxruntime departs from the spec on SAME_UPPER with kernel < stride: length 3 where the spec gives 2·2 = 4', () => {
    for (const name of ['onnxruntime-node', 'onnxruntime-web'])
      expect(status(name, SAME_UPPER)).toMatchObject({
        status: 'fail',
        message: expect.stringMatching(/shape \[1, 1, 3\], expected \[1, 1, 4\]/),
      });
    // and the matrix says why, citing the issue
    expect(explain(status('onnxruntime-node', SAME_UPPER)!, 'the kit')).toMatch(/onnx#1609/);
  });
});
