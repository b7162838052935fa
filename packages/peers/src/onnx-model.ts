// One-node ONNX models (X, W[, B] → ConvTranspose or Conv → Y) written with onnx-proto's protobuf
// classes, so an ONNX engine runs exactly the attributes given — no exporter in between.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** An ONNX attribute value: a string, an integer or a list of integers. */
export type OnnxAttributeValue = string | number | readonly number[];

/** The element types the models can carry. */
export type OnnxElementType = 'float32' | 'float64';

/** What {@link onnxModel} writes: one node and its tensor types. */
export interface OnnxModelSpec {
  /** `ConvTranspose` or `Conv`. */
  readonly op: 'ConvTranspose' | 'Conv';
  /** The node's attributes, by their ONNX names (`strides`, `pads`, `auto_pad`, …). */
  readonly attributes: Readonly<Record<string, OnnxAttributeValue | undefined>>;
  /** `X`'s shape `[N, C, ...spatial]`. */
  readonly inputShape: readonly number[];
  /** `W`'s shape (ONNX layout: `[Cin, Cout/group, ...k]` for ConvTranspose, `[Cout, Cin/group, ...k]` for Conv). */
  readonly weightShape: readonly number[];
  /** Adds a third input `B` of shape `[Cout]`. */
  readonly bias?: boolean;
  /** Default `float32`. */
  readonly dtype?: OnnxElementType;
  /** Default 11 (ConvTranspose and Conv have not changed since). */
  readonly opset?: number;
}

function attribute(name: string, value: OnnxAttributeValue) {
  const type = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: type.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: type.INT, i: value };
  return { name, type: type.INTS, ints: [...value] };
}

function valueInfo(name: string, dims: readonly (number | null)[], elemType: number) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        // distinct names: one shared dimParam would tell the engine the unknown sizes are equal
        shape: { dim: dims.map((d, i) => (d === null ? { dimParam: `${name}_${i}` } : { dimValue: d })) },
      },
    },
  };
}

/**
 * Serializes a one-node ONNX model: inputs `X`, `W` (and `B`), output `Y` of unknown shape, so the
 * engine's own shape inference decides the output size.
 * @returns the bytes of the `ModelProto`, for `InferenceSession.create`
 * @example
 * ```ts
 * const bytes = onnxModel({
 *   op: 'ConvTranspose',
 *   attributes: { strides: [2], auto_pad: 'SAME_UPPER' },
 *   inputShape: [1, 1, 2],
 *   weightShape: [1, 1, 1],
 * });
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export function onnxModel(spec: OnnxModelSpec): Uint8Array {
  const elemType =
    spec.dtype === 'float64' ? onnx.TensorProto.DataType.DOUBLE : onnx.TensorProto.DataType.FLOAT;
  const outChannels =
    spec.op === 'Conv' ? spec.weightShape[0]! : spec.weightShape[1]! * Number(spec.attributes.group ?? 1);
  const attributes = Object.entries(spec.attributes).flatMap(([k, v]) =>
    v === undefined ? [] : [attribute(k, v)],
  );
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: spec.opset ?? 11 }],
    producerName: '@tconv/peers',
    graph: {
      name: spec.op,
      node: [
        {
          opType: spec.op,
          input: ['X', 'W', ...(spec.bias ? ['B'] : [])],
          output: ['Y'],
          attribute: attributes,
        },
      ],
      input: [
        valueInfo('X', spec.inputShape, elemType),
        valueInfo('W', spec.weightShape, elemType),
        ...(spec.bias ? [valueInfo('B', [outChannels], elemType)] : []),
      ],
      output: [
        valueInfo(
          'Y',
          spec.inputShape.map(() => null),
          elemType,
        ),
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * A one-node float32 `ConvTranspose` model (opset 11): the signature the conformance fixture script uses.
 * @param attributes - ONNX `ConvTranspose` attributes
 * @param xDims - `X`'s shape
 * @param wDims - `W`'s shape `[Cin, Cout/group, ...k]`
 * @param bias - adds the input `B`
 */
export function convTransposeModel(
  attributes: Readonly<Record<string, OnnxAttributeValue | undefined>>,
  xDims: readonly number[],
  wDims: readonly number[],
  bias = false,
): Uint8Array {
  return onnxModel({ op: 'ConvTranspose', attributes, inputShape: xDims, weightShape: wDims, bias });
}
