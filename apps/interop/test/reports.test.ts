import { describe, expect, it } from 'vitest';
import type { Matrix } from '../src/index';
import { explain, markdownReport, statusOf, svgMatrix } from '../src/index';

const matrix: Matrix = {
  generated: '2026-12-01T00:00:00.000Z',
  machine: { cpu: 'test cpu', cores: 2, memoryGiB: 4, node: 'v20', platform: 'linux x64' },
  engines: [
    { name: 'tconv-cpu', version: '0.0.0', runtime: 'JavaScript', control: true },
    { name: 'onnxruntime-node', version: '1.30.0', runtime: 'native CPU', control: false },
  ],
  results: [
    { engine: 'tconv-cpu', case: 'a/one', group: 'documents', status: 'pass', maxError: 0 },
    {
      engine: 'tconv-cpu',
      case: 'divergences/auto-pad-same-upper-negative-total-1d',
      group: 'divergences',
      status: 'pass',
    },
    { engine: 'onnxruntime-node', case: 'a/one', group: 'documents', status: 'pass', maxError: 1e-7 },
    {
      engine: 'onnxruntime-node',
      case: 'divergences/auto-pad-same-upper-negative-total-1d',
      group: 'divergences',
      status: 'fail',
      message: 'shape [1, 1, 3], expected [1, 1, 4]',
    },
    {
      engine: 'onnxruntime-node',
      case: 'dtypes/x',
      group: 'dtypes',
      status: 'cannot-express',
      message: 'skipped: needs float64',
    },
  ],
};

describe('reports', () => {
  it('reads kit results as pass, fail or cannot-express', () => {
    expect(statusOf({ id: 'a', source: 's', ok: true })).toBe('pass');
    expect(statusOf({ id: 'a', source: 's', ok: false, skipped: true, message: 'skipped: x' })).toBe(
      'cannot-express',
    );
    expect(
      statusOf({ id: 'a', source: 's', ok: false, message: 'UnsupportedError: tfjs cannot express this' }),
    ).toBe('cannot-express');
    expect(statusOf({ id: 'a', source: 's', ok: false, message: 'element 3: 1 vs expected 2' })).toBe('fail');
    expect(statusOf({ id: 'a', source: 's', ok: false, message: 'OptionError: stride' })).toBe('fail');
  });

  it('markdown: counts per engine and group, then every failure with its explanation', () => {
    const md = markdownReport(matrix, new Map([['a/one', 'd2l 13.10']]));
    expect(md).toMatch(/\| tconv-cpu \(control\) \| 0\.0\.0 \| JavaScript \| 2 \| 0 \| 0 \|/);
    expect(md).toMatch(/\| onnxruntime-node \| 1\.30\.0 \| native CPU \| 1 \| 1 \| 1 \|/);
    expect(md).toMatch(/\| engine \| documents \| divergences \| dtypes \|/);
    expect(md).toMatch(/\| onnxruntime-node \| 1 \/ 0 \/ 0 \| 0 \/ 1 \/ 0 \| 0 \/ 0 \/ 1 \|/);
    expect(md).toMatch(/## Every failing case \(1\)/);
    expect(md).toMatch(/auto-pad-same-upper-negative-total-1d.*shape \[1, 1, 3\].*onnx#1609/);
    expect(md).toMatch(/\*\*onnxruntime-node\*\*: needs float64 \(1\)/);
  });

  it("explains a failure no rule covers by the case's own source", () => {
    expect(explain({ engine: 'tfjs-cpu', case: 'x/y', group: 'g', status: 'fail' }, 'PyTorch 2.5')).toMatch(
      /no known issue.*PyTorch 2\.5/,
    );
  });

  it('svg: one row per engine', () => {
    const svg = svgMatrix(matrix);
    expect(svg).toMatch(/^<svg/);
    expect(svg.match(/\(control\)/g)).toHaveLength(1);
    expect(svg).toMatch(/>1 \/ 1 \/ 1</);
  });
});
