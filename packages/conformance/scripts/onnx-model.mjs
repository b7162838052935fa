// Writes the bytes of a one-node ONNX model (X, W[, B] → ConvTranspose → Y) with onnx-proto's
// protobuf classes, so onnxruntime can run exactly the attributes a fixture records.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto');

const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;
const STRING = onnx.AttributeProto.AttributeType.STRING;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

function attribute(name, value) {
  if (typeof value === 'string') return { name, type: STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: INT, i: value };
  return { name, type: INTS, ints: value };
}

const valueInfo = (name, dims) => ({
  name,
  type: {
    tensorType: {
      elemType: FLOAT,
      shape: { dim: dims.map((d) => (d === null ? { dimParam: 'unknown' } : { dimValue: d })) },
    },
  },
});

/**
 * @param {Record<string, string | number | number[]>} attributes ONNX ConvTranspose attributes
 * @param {number[]} xDims @param {number[]} wDims @param {boolean} bias
 * @returns {Uint8Array} the serialized ModelProto (opset 11)
 */
export function convTransposeModel(attributes, xDims, wDims, bias = false) {
  const inputs = ['X', 'W', ...(bias ? ['B'] : [])];
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 11 }],
    producerName: 'tconv fixtures',
    graph: {
      name: 'conv_transpose',
      node: [
        {
          opType: 'ConvTranspose',
          input: inputs,
          output: ['Y'],
          attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
        },
      ],
      input: [
        valueInfo('X', xDims),
        valueInfo('W', wDims),
        ...(bias ? [valueInfo('B', [wDims[1] * (attributes.group ?? 1)])] : []),
      ],
      output: [
        valueInfo(
          'Y',
          xDims.map(() => null),
        ),
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
