import type { Backend, ConvTransposeOptions, Tensor } from '@tconv/core';
import { tensor } from '@tconv/core';
import { MismatchError } from '../compare';
import { DOCS, defineCase } from '../define';
import type { KitCase } from '../types';

const CONTRACT = `${DOCS.contract}, "Errors" and the option rules; ${DOCS.pytorch}`;

const x = () => tensor(new Float32Array(2 * 4 * 5 * 5).fill(0.5), [2, 4, 5, 5]);
const w = () => tensor(new Float32Array(4 * 3 * 3 * 3).fill(0.25), [4, 3, 3, 3]);

/** The call must throw or reject with an Error whose message names `mentions`. */
async function expectRejection(run: () => unknown, mentions: RegExp): Promise<number> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof Error)) throw new MismatchError('the invalid input was accepted', 0);
  if (!mentions.test(error.message)) {
    throw new MismatchError(`rejected, but the message does not name ${mentions}: "${error.message}"`, 0);
  }
  return 0;
}

type Spec = [id: string, title: string, mentions: RegExp, call: (b: Backend) => unknown];

const ct =
  (options: object, input: Tensor = x(), weight: Tensor = w()) =>
  (b: Backend) =>
    b.convTranspose(input, weight, options as ConvTransposeOptions);

const specs: Spec[] = [
  ['stride-zero', 'stride 0', /stride/, ct({ stride: 0 })],
  ['stride-negative', 'a negative stride on one axis', /stride/, ct({ stride: [1, -1] })],
  ['stride-fraction', 'a non-integer stride', /stride/, ct({ stride: 1.5 })],
  ['stride-nan', 'stride NaN', /stride/, ct({ stride: Number.NaN })],
  ['stride-rank', 'a stride for the wrong number of axes', /stride/, ct({ stride: [1, 1, 1] })],
  ['dilation-zero', 'dilation 0', /dilation/, ct({ dilation: 0 })],
  ['dilation-infinite', 'dilation Infinity', /dilation/, ct({ dilation: Number.POSITIVE_INFINITY })],
  ['groups-zero', 'groups 0', /groups/, ct({ groups: 0 })],
  ['groups-fraction', 'groups 1.5', /groups/, ct({ groups: 1.5 })],
  ['groups-mismatch', 'groups 3 does not divide 4 input channels', /groups|channels/, ct({ groups: 3 })],
  ['padding-negative', 'padding −1', /padding/, ct({ padding: -1 })],
  ['padding-word', "an unknown padding word 'full'", /padding/, ct({ padding: 'full' })],
  ['padding-crops-all', 'padding that crops the whole output', /padding|output/i, ct({ padding: 5 })],
  [
    'output-padding-too-large',
    'outputPadding 2 with stride 2 (must be < max(stride, dilation))',
    /output ?padding/i,
    ct({ stride: 2, outputPadding: 2 }),
  ],
  ['output-padding-negative', 'outputPadding −1', /output ?padding/i, ct({ outputPadding: -1 })],
  [
    'output-size-unreachable',
    'outputSize outside [min, min + stride − 1]',
    /output ?size/i,
    ct({ stride: 2, outputSize: [20, 9] }),
  ],
  ['output-size-rank', 'outputSize with the wrong number of axes', /output ?size/i, ct({ outputSize: [7] })],
  [
    'kernel-zero',
    'a kernel of size 0',
    /weight|kernel/i,
    ct({}, x(), { shape: [4, 3, 0, 3], data: new Float32Array(0) }),
  ],
  [
    'channels-mismatch',
    'weight[0] ≠ input channels',
    /channel|weight/i,
    ct({}, tensor(new Float32Array(75), [1, 3, 5, 5])),
  ],
  [
    'rank-mismatch',
    'a 2D input with a 1D weight',
    /rank|weight/i,
    ct({}, x(), tensor(new Float32Array(36), [4, 3, 3])),
  ],
  [
    'data-length',
    'data shorter than the shape',
    /data|element/i,
    ct({}, { shape: [2, 4, 5, 5], data: new Float32Array(10) }),
  ],
  [
    'size-nan',
    'a NaN size in the shape',
    /shape/i,
    ct({}, { shape: [2, 4, Number.NaN, 5], data: new Float32Array(200) }),
  ],
  [
    'weight-dtype',
    'a float64 weight with a float32 input',
    /float64|float32|type/i,
    ct({}, x(), tensor(new Float64Array(108), [4, 3, 3, 3])),
  ],
  ['bias-dtype', 'a float64 bias with a float32 input', /bias/, ct({ bias: new Float64Array(3) })],
  ['bias-length', 'a bias with the wrong number of values', /bias/, ct({ bias: [1, 2] })],
  ['unknown-option', "an unknown option 'output_padding'", /output_padding/, ct({ output_padding: 1 })],
  [
    'conv-channels',
    'conv: weight[1]·groups ≠ input channels',
    /channel|weight/i,
    (b) => b.conv(x(), tensor(new Float32Array(27), [1, 3, 3, 3])),
  ],
  [
    'conv-kernel-too-large',
    'conv: a kernel larger than the padded input',
    /kernel|input/i,
    (b) => b.conv(tensor(new Float32Array(4), [1, 1, 2, 2]), tensor(new Float32Array(9), [1, 1, 3, 3])),
  ],
  [
    'conv-stride-zero',
    'conv: stride 0',
    /stride/,
    (b) => b.conv(x(), tensor(new Float32Array(36), [1, 4, 3, 3]), { stride: 0 }),
  ],
];

/** Every invalid option of the contract must throw (or reject) through the backend, naming the parameter. */
export const errorCases: readonly KitCase[] = specs.map(([id, title, mentions, call]) =>
  defineCase({
    id: `errors/${id}`,
    title: `rejects ${title}`,
    source: CONTRACT,
    group: 'errors',
    tags: ['error'],
    check: (backend) => expectRejection(() => call(backend), mentions),
  }),
);
