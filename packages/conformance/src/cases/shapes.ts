import type { Backend } from '@tconv/core';
import { tensor } from '@tconv/core';
import { expectTensor, MismatchError, seeded } from '../compare';
import { DOCS, defineCase } from '../define';
import { checkAgainstDefinition, expectNearDefinition } from '../near';
import type { KitCase } from '../types';

function shapeCase(
  id: string,
  title: string,
  source: string,
  op: 'convTranspose' | 'conv',
  inputShape: number[],
  weightShape: number[],
  options: object,
  expectedShape: number[],
  tags: string[],
): KitCase {
  return defineCase({
    id,
    title,
    source,
    group: 'shapes',
    ranks: [inputShape.length - 2],
    tags: ['document', 'shape', ...tags],
    check: (backend: Backend) =>
      checkAgainstDefinition(
        backend,
        op,
        inputShape,
        weightShape,
        options,
        id.length * 7,
        'float32',
        expectedShape,
      ),
  });
}

/** GfG's Keras input: the 4×4×3 (NHWC) tensor 1, 2, 3, 5, 6, 7, … made channels-first. */
function gfgInput() {
  const nhwc: number[] = [];
  for (let h = 0; h < 4; h++)
    for (let w = 0; w < 4; w++) for (let c = 0; c < 3; c++) nhwc.push(16 * h + 4 * w + c + 1);
  const nchw = new Float32Array(48);
  for (let h = 0; h < 4; h++)
    for (let w = 0; w < 4; w++)
      for (let c = 0; c < 3; c++) nchw[c * 16 + h * 4 + w] = nhwc[(h * 4 + w) * 3 + c]!;
  return tensor(nchw, [1, 3, 4, 4]);
}

function kerasCase(padding: 'valid' | 'same', size: number): KitCase {
  return defineCase({
    id: `gfg/keras-${padding}-${size}x${size}`,
    title: `GfG: Keras Conv2DTranspose(filters=1, kernel_size=3, strides=2, padding='${padding}') on the 4×4×3 input → ${size}×${size}`,
    source: `${DOCS.gfg}, Example ${padding === 'valid' ? 2 : 3}`,
    group: 'shapes',
    tags: ['document', 'shape', 'keras', padding],
    async check(backend) {
      const x = gfgInput();
      const w = tensor(seeded(27, 3), [3, 1, 3, 3]);
      const y = await backend.convTranspose(x, w, { stride: 2, padding });
      expectTensor(y, [1, 1, size, size], new Array(size * size).fill(0), 'float32', {
        atol: Number.POSITIVE_INFINITY,
        rtol: 0,
      });
      return expectNearDefinition('convTranspose', y, x, w, { stride: 2, padding }, 'float32');
    },
  });
}

/** AIM's 4×4 RGB upsampling with a 3×3 kernel and stride 4: zero stripes where the stride leaves gaps. */
const aimStripes = defineCase({
  id: 'aim/4-to-16-k3-s4-op1',
  title:
    'AIM: 4×4 image, filter 3×3, strides 4, output padding 1 → 16×16 with black (zero) stripes at every 4th row and column',
  source: `${DOCS.aim}, "Transposed convolutions"`,
  group: 'shapes',
  tags: ['document', 'shape', 'stride', 'output-padding'],
  async check(backend) {
    const x = tensor(
      seeded(48, 11).map((v) => Math.abs(v) + 0.1),
      [1, 3, 4, 4],
    );
    const w = tensor(
      seeded(81, 12).map((v) => Math.abs(v) + 0.1),
      [3, 3, 3, 3],
    );
    const options = { stride: 4, outputPadding: 1 };
    const y = await backend.convTranspose(x, w, options);
    const maxError = expectNearDefinition('convTranspose', y, x, w, options, 'float32');
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 16; i++) {
        for (let j = 0; j < 16; j++) {
          const v = y.data[c * 256 + i * 16 + j]!;
          const stripe = i % 4 === 3 || j % 4 === 3;
          if (stripe !== (v === 0)) {
            throw new MismatchError(
              `channel ${c} (${i}, ${j}) is ${v}: ${stripe ? 'a stripe must be black' : 'only stripes may be black'}`,
              maxError,
            );
          }
        }
      }
    }
    return maxError;
  },
});

/** The documents' size examples, run through the backend (shape and values against the definition). */
export const shapeCases: readonly KitCase[] = [
  kerasCase('valid', 9),
  kerasCase('same', 8),
  shapeCase(
    'aim/conv-7-to-5',
    'AIM: convolution of a 7×7 image with a 3×3 filter, stride 1, no padding → 5×5',
    `${DOCS.aim}, "Transposed convolutions"`,
    'conv',
    [1, 1, 7, 7],
    [1, 1, 3, 3],
    {},
    [1, 1, 5, 5],
    ['conv'],
  ),
  shapeCase(
    'aim/7-to-7-padding-1',
    'AIM: (7 − 1)·1 + 3 − 2·1 + 0 = 7, the transposed convolution keeps 7×7',
    `${DOCS.aim}, "Transposed convolutions"`,
    'convTranspose',
    [1, 1, 7, 7],
    [1, 1, 3, 3],
    { padding: 1 },
    [1, 1, 7, 7],
    ['padding'],
  ),
  aimStripes,
  shapeCase(
    'aim/4-to-16-k4-s4',
    'AIM: filter 4×4, strides 4, no output padding → 16×16, filled',
    `${DOCS.aim}, "Transposed convolutions"`,
    'convTranspose',
    [1, 3, 4, 4],
    [3, 3, 4, 4],
    { stride: 4 },
    [1, 3, 16, 16],
    ['stride'],
  ),
  shapeCase(
    'notes/conv-k3s2p1-4-to-2',
    'notes: convolution k3 s2 p1 on 4×4 → ⌊(4 + 2 − 3)/2⌋ + 1 = 2',
    `${DOCS.notes}, "Examples"`,
    'conv',
    [1, 1, 4, 4],
    [1, 1, 3, 3],
    { stride: 2, padding: 1 },
    [1, 1, 2, 2],
    ['conv', 'stride', 'padding'],
  ),
  shapeCase(
    'notes/pytorch-6x6',
    'notes: nn.ConvTranspose2d(3, 1, k3, s2, output_padding 1) on (1, 3, 2, 2) → (1, 1, 6, 6)',
    `${DOCS.notes}, "Pad the output"`,
    'convTranspose',
    [1, 3, 2, 2],
    [3, 1, 3, 3],
    { stride: 2, outputPadding: 1 },
    [1, 1, 6, 6],
    ['output-padding', 'pytorch'],
  ),
  shapeCase(
    'tds/4x4-k3-conv',
    'TDS: a 4×4 input and a 3×3 kernel give 2×2',
    `${DOCS.tds}, Section 1`,
    'conv',
    [1, 1, 4, 4],
    [1, 1, 3, 3],
    {},
    [1, 1, 2, 2],
    ['conv'],
  ),
  shapeCase(
    'tds/2x2-k3-back-to-4x4',
    'TDS: the transposed convolution takes the 2×2 back to 4×4',
    `${DOCS.tds}, Section 1`,
    'convTranspose',
    [1, 1, 2, 2],
    [1, 1, 3, 3],
    {},
    [1, 1, 4, 4],
    [],
  ),
  defineCase({
    id: 'd2l/round-trip-shape',
    title:
      'd2l 13.10.2: conv k5 p2 s3 on (1, 10, 16, 16) → (1, 20, 6, 6); the transposed conv with the same hyperparameters → (1, 10, 16, 16)',
    source: `${DOCS.d2l}, 13.10.2`,
    group: 'shapes',
    tags: ['document', 'shape', 'round-trip'],
    async check(backend) {
      const x = tensor(seeded(2560, 21), [1, 10, 16, 16]);
      const wc = tensor(seeded(20 * 10 * 25, 22), [20, 10, 5, 5]);
      const wt = tensor(seeded(20 * 10 * 25, 23), [20, 10, 5, 5]);
      const options = { padding: 2, stride: 3 };
      const y = await backend.conv(x, wc, options);
      let maxError = expectNearDefinition('conv', y, x, wc, options, 'float32');
      const z = await backend.convTranspose(y, wt, options);
      maxError = Math.max(maxError, expectNearDefinition('convTranspose', z, y, wt, options, 'float32'));
      if (z.shape.join() !== x.shape.join())
        throw new MismatchError(`round trip gave [${z.shape}]`, maxError);
      return maxError;
    },
  }),
];
