import { describe, OptionError } from './errors';

/**
 * Checks one integer option value.
 * @param value - the value
 * @param parameter - its name in messages, with the axis (`"stride[0]"`)
 * @param min - the smallest allowed value
 */
export function checkInteger(value: unknown, parameter: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const rule =
      min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`;
    throw new OptionError(
      'INVALID_OPTION',
      parameter,
      `${parameter} must be ${rule}, but got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Expands a per-axis option (one number, or one number per spatial axis) and checks every entry.
 * @param value - the option as given, or `undefined`
 * @param rank - the number of spatial axes
 * @param parameter - the option name
 * @param fallback - the default when `value` is `undefined`
 * @param min - the smallest allowed entry
 */
export function perAxis(
  value: number | readonly number[] | undefined,
  rank: number,
  parameter: string,
  fallback: number,
  min: number,
): number[] {
  if (value === undefined) return new Array<number>(rank).fill(fallback);
  if (typeof value === 'number') {
    checkInteger(value, parameter, min);
    return new Array<number>(rank).fill(value);
  }
  if (!Array.isArray(value)) {
    throw new OptionError(
      'INVALID_OPTION',
      parameter,
      `${parameter} must be a number or an array of ${rank} numbers (one per spatial axis), but got ${describe(value)}`,
    );
  }
  if (value.length !== rank) {
    throw new OptionError(
      'INVALID_OPTION',
      parameter,
      `${parameter} must have one entry per spatial axis (${rank}), but got ${describe(value)} with ${value.length}`,
    );
  }
  return value.map((v, i) => checkInteger(v, `${parameter}[${i}]`, min));
}

/**
 * Rejects option keys the operation does not know, so a typo (`strides`, `output_padding`) is an
 * error instead of a silently ignored setting.
 */
export function checkKnownKeys(options: object, known: readonly string[], operation: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new OptionError(
        'UNKNOWN_OPTION',
        key,
        `${describe(key)} is not an option of ${operation}; the options are ${known.join(', ')}`,
      );
    }
  }
}

/**
 * Checks an options argument: `undefined` is no options, anything else must be a plain object
 * (not `null`, an array or a primitive) with only known keys.
 * @param options - the argument as given
 * @param known - the option names the operation takes
 * @param operation - its name in messages
 * @returns the options, `{}` for `undefined`
 */
export function checkOptionsObject<T extends object>(
  options: T | undefined,
  known: readonly string[],
  operation: string,
): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionError(
      'INVALID_OPTION',
      'options',
      `the options of ${operation} must be an object (${known.join(', ')}) or undefined, but got ${describe(options)}`,
    );
  }
  checkKnownKeys(options, known, operation);
  return options;
}
