import { describe, expect, it } from 'vitest';
import {
  convOutputSize,
  convTransposeOutputSize,
  DTypeError,
  LimitError,
  MAX_TENSOR_ELEMENTS,
  OptionError,
  prepareConvTranspose,
  resolveConv,
  resolveConvTranspose,
  ShapeError,
  TconvError,
  tensor,
} from '@tconv/core';

type Case = [title: string, run: () => unknown, type: typeof TconvError, message: RegExp];

const x = [1, 4, 5, 5];
const w = [4, 2, 3, 3];
const ct =
  (options: object, input = x, weight = w) =>
  () =>
    resolveConvTranspose(input, weight, options);

// Each rejection must name the parameter, the value and the rule.
const cases: Case[] = [
  ['zero stride', ct({ stride: 0 }), OptionError, /stride must be a positive integer, but got 0/],
  [
    'negative stride on one axis',
    ct({ stride: [1, -2] }),
    OptionError,
    /stride\[1\] must be a positive integer, but got -2/,
  ],
  ['non-integer stride', ct({ stride: 1.5 }), OptionError, /stride must be a positive integer, but got 1\.5/],
  ['NaN stride', ct({ stride: Number.NaN }), OptionError, /stride must be a positive integer, but got NaN/],
  [
    'Infinity dilation',
    ct({ dilation: Number.POSITIVE_INFINITY }),
    OptionError,
    /dilation must be a positive integer, but got Infinity/,
  ],
  [
    'zero dilation',
    ct({ dilation: [1, 0] }),
    OptionError,
    /dilation\[1\] must be a positive integer, but got 0/,
  ],
  ['zero groups', ct({ groups: 0 }), OptionError, /groups must be a positive integer, but got 0/],
  ['fractional groups', ct({ groups: 2.5 }), OptionError, /groups must be a positive integer, but got 2\.5/],
  [
    'groups not dividing Cin',
    ct({ groups: 3 }),
    ShapeError,
    /input channels 4 must be divisible by groups 3/,
  ],
  [
    'stride with the wrong number of axes',
    ct({ stride: [1, 1, 1] }),
    OptionError,
    /stride must have one entry per spatial axis \(2\)/,
  ],
  [
    'negative padding',
    ct({ padding: -1 }),
    OptionError,
    /padding must be a non-negative integer, but got -1/,
  ],
  ['unknown padding word', ct({ padding: 'full' }), OptionError, /padding "full" is not a padding word/],
  ['padding of the wrong kind', ct({ padding: { begin: [1, 1] } }), OptionError, /padding must be a number/],
  ['padding crops everything', ct({ padding: 4 }), OptionError, /crops the whole output/],
  [
    'output padding ≥ stride',
    ct({ stride: 2, outputPadding: 2 }),
    OptionError,
    /must be smaller than either stride or dilation/,
  ],
  [
    'negative output padding',
    ct({ outputPadding: -1 }),
    OptionError,
    /outputPadding must be a non-negative integer/,
  ],
  [
    'unreachable outputSize',
    ct({ stride: 2, outputSize: [20, 11] }),
    OptionError,
    /outputSize\[0\] 20 is unreachable/,
  ],
  [
    'outputSize with wrong rank',
    ct({ outputSize: [7] }),
    OptionError,
    /outputSize must be the spatial output size/,
  ],
  [
    'outputSize of zero',
    ct({ outputSize: [0, 7] }),
    OptionError,
    /outputSize\[0\] must be a positive integer, but got 0/,
  ],
  [
    'unknown option',
    ct({ output_padding: 1 }),
    OptionError,
    /"output_padding" is not an option of convTranspose/,
  ],
  ['Cin mismatch', ct({}, [1, 3, 5, 5]), ShapeError, /weightShape\[0\] 4 must equal the input channels 3/],
  ['rank mismatch', ct({}, x, [4, 2, 3]), ShapeError, /weight rank 3 .* must equal input rank 4/],
  ['no spatial axis', ct({}, [1, 4], [4, 2]), ShapeError, /at least one spatial axis/],
  [
    'zero kernel',
    ct({}, x, [4, 2, 0, 3]),
    ShapeError,
    /weightShape\[2\] must be a positive integer, but got 0/,
  ],
  [
    'negative size',
    ct({}, [1, 4, -5, 5]),
    ShapeError,
    /inputShape\[2\] must be a positive integer, but got -5/,
  ],
  [
    'NaN size',
    ct({}, [1, 4, Number.NaN, 5]),
    ShapeError,
    /inputShape\[2\] must be a positive integer, but got NaN/,
  ],
  [
    'bias of the wrong length',
    ct({ bias: [1, 2, 3] }),
    ShapeError,
    /bias must have one value per output channel \(2\), but has 3/,
  ],
  [
    'output too large',
    ct({ stride: 4000 }, [1, 4, 200, 200]),
    LimitError,
    /more than the limit of 134217728/,
  ],
  [
    'conv: Cin mismatch',
    () => resolveConv([1, 4, 5, 5], [2, 3, 3, 3]),
    ShapeError,
    /weightShape\[1\] 3 × groups 1 must equal the input channels 4/,
  ],
  [
    'conv: Cout not divisible by groups',
    () => resolveConv([1, 4, 5, 5], [3, 2, 3, 3], { groups: 2 }),
    ShapeError,
    /output channels 3/,
  ],
  [
    'conv: kernel larger than the input',
    () => resolveConv([1, 1, 2, 2], [1, 1, 3, 3]),
    OptionError,
    /larger than the padded input/,
  ],
  [
    'conv: outputPadding is not a conv option',
    () => resolveConv([1, 1, 4], [1, 1, 3], { outputPadding: 1 } as object),
    OptionError,
    /not an option of conv/,
  ],
  [
    'per-axis: output padding too large',
    () => convTransposeOutputSize(2, 3, { stride: 2, outputPadding: 2 }),
    OptionError,
    /stride or dilation/,
  ],
  ['per-axis: conv output empty', () => convOutputSize(2, 5), OptionError, /larger than the padded input/],
  [
    'per-axis: non-integer input',
    () => convTransposeOutputSize(2.5, 3),
    OptionError,
    /input must be a positive integer, but got 2\.5/,
  ],
  [
    'tensor: data length ≠ shape',
    () => tensor([1, 2, 3], [2, 2]),
    ShapeError,
    /data has 3 elements but shape \[2, 2\] needs 4/,
  ],
  [
    'tensor: fractional dimension',
    () => tensor([1, 2], [1.5]),
    ShapeError,
    /shape\[0\] must be a non-negative integer, but got 1\.5/,
  ],
  ['tensor: too large', () => tensor([], [MAX_TENSOR_ELEMENTS, 2]), LimitError, /more than the limit/],
  [
    'weight dtype ≠ input dtype',
    () =>
      prepareConvTranspose(
        tensor(new Float32Array(4), [1, 1, 2, 2]),
        tensor(new Float64Array(4), [1, 1, 2, 2]),
      ),
    DTypeError,
    /weight is float64 but input is float32/,
  ],
  [
    'bias dtype ≠ input dtype',
    () =>
      prepareConvTranspose(
        tensor(new Float64Array(4), [1, 1, 2, 2]),
        tensor(new Float64Array(4), [1, 1, 2, 2]),
        {
          bias: new Float32Array(1),
        },
      ),
    DTypeError,
    /bias is float32 but input is float64/,
  ],
  [
    'tensor data shorter than its shape',
    () =>
      prepareConvTranspose(
        { shape: [1, 1, 2, 2], data: new Float32Array(3) },
        tensor(new Float32Array(4), [1, 1, 2, 2]),
      ),
    ShapeError,
    /input\.data has 3 elements but input\.shape \[1, 1, 2, 2\] needs 4/,
  ],
  [
    'plain array data',
    () =>
      prepareConvTranspose(
        { shape: [1, 1, 1, 1], data: [1] as never },
        tensor(new Float32Array(1), [1, 1, 1, 1]),
      ),
    ShapeError,
    /input\.data must be a Float32Array or Float64Array/,
  ],
];

describe('invalid input is rejected with the parameter, the value and the rule', () => {
  it.each(cases)('%s', (_title, run, type, message) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(TconvError);
    expect((error as Error).message).toMatch(message);
    expect((error as TconvError).parameter.length).toBeGreaterThan(0);
  });

  it('rejects a huge geometry before allocating anything', () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(() =>
      prepareConvTranspose(
        tensor(new Float32Array(16), [1, 16, 1, 1]),
        tensor(new Float32Array(16 * 1), [16, 1, 1, 1]),
        {
          stride: 1,
          outputSize: [1, 1],
          padding: 'same-upper',
          dilation: 1,
          groups: 1,
        },
      ),
    ).not.toThrow();
    expect(() =>
      resolveConvTranspose([1, 16, 1, 1], [16, 1, 1, 1], {
        padding: 'same-upper',
        outputSize: [100000, 100000],
      }),
    ).toThrow(LimitError);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });
});
