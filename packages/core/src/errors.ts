/**
 * Machine-readable reason of a {@link TconvError}. Stable across releases: match on it rather than
 * on the message.
 */
export type TconvErrorCode =
  | 'INVALID_SHAPE'
  | 'INVALID_DATA'
  | 'RANK_MISMATCH'
  | 'CHANNEL_MISMATCH'
  | 'INVALID_OPTION'
  | 'UNKNOWN_OPTION'
  | 'OUTPUT_PADDING_TOO_LARGE'
  | 'OUTPUT_SIZE_UNREACHABLE'
  | 'OUTPUT_TOO_SMALL'
  | 'DTYPE_MISMATCH'
  | 'UNSUPPORTED'
  | 'LIMIT_EXCEEDED';

/**
 * The brand every {@link TconvError} carries, in the global symbol registry so that it is the same
 * symbol in every copy of `@tconv/core` loaded into one process (ESM and CommonJS builds, two
 * installed versions, a bundle and `node_modules`).
 */
const TCONV_ERROR_BRAND: unique symbol = Symbol.for('@tconv/core.TconvError') as never;

/**
 * Base class of every error tconv throws on purpose. `parameter` names the argument or option at
 * fault (for example `"stride[1]"`), `code` says which rule it broke.
 */
export class TconvError extends Error {
  /** Which rule was broken. */
  readonly code: TconvErrorCode;
  /** The argument or option at fault, with its axis where there is one. */
  readonly parameter: string;

  /**
   * @param code - which rule was broken
   * @param parameter - the argument or option at fault
   * @param message - a sentence naming the parameter, the value and the rule
   */
  constructor(code: TconvErrorCode, parameter: string, message: string) {
    super(message);
    this.name = 'TconvError';
    this.code = code;
    this.parameter = parameter;
    Object.defineProperty(this, TCONV_ERROR_BRAND, { value: true });
  }
}

/**
 * Whether `value` is a {@link TconvError} (or a subclass) thrown by any copy of `@tconv/core`.
 * Prefer it to `instanceof`: when one process loads core twice — `require` and `import` of the
 * dual package (the dual-package hazard), or two versions — each copy has its own classes and
 * `instanceof` fails across them; the brand is a `Symbol.for` symbol shared by all copies. Match
 * the kind of error on `code` (stable), not on the class.
 * @example
 * ```ts
 * try {
 *   convTransposeOutputSize(4, 3, { stride: 0 });
 * } catch (e) {
 *   if (isTconvError(e)) console.log(e.code, e.parameter); // INVALID_OPTION stride
 * }
 * ```
 */
export function isTconvError(value: unknown): value is TconvError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [TCONV_ERROR_BRAND]?: unknown })[TCONV_ERROR_BRAND] === true
  );
}

/** A tensor shape, a data length or a size relation between tensors is wrong. */
export class ShapeError extends TconvError {
  override readonly name = 'ShapeError';
}

/** An option (stride, padding, dilation, groups, bias, outputPadding, outputSize, …) is invalid. */
export class OptionError extends TconvError {
  override readonly name = 'OptionError';
}

/** Input, weight and bias do not share one float type, or a backend does not support the type. */
export class DTypeError extends TconvError {
  override readonly name = 'DTypeError';
}

/** A backend was asked for something outside its declared capabilities. */
export class UnsupportedError extends TconvError {
  override readonly name = 'UnsupportedError';
}

/** A tensor, intermediate buffer or matrix would exceed a stated size limit. */
export class LimitError extends TconvError {
  override readonly name = 'LimitError';
}

/** Renders a value for an error message: arrays and strings as written, numbers as they are. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(value)) {
    const items = value.length > 12 ? [...value.slice(0, 12).map(describe), '…'] : value.map(describe);
    return `[${items.join(', ')}]`;
  }
  try {
    // BigInts as written (`1n`); JSON.stringify throws on them otherwise
    return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? safeString(value);
  } catch {
    return safeString(value);
  }
}

/** `String(value)`, or its `[object …]` tag when it has no usable `toString` (a null-prototype object). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
