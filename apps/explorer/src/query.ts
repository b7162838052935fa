/**
 * The value syntax of the page's URL query — integers, pairs like `4x3`, comma lists — and a
 * reader that takes each parameter with a fallback and records, instead of throwing, why a
 * malformed value was ignored.
 */

/** A per-axis pair (height, width). */
export type Pair = readonly [number, number];

const INT = /^-?\d+$/;

/** A decimal integer (safe), or null. */
export function parseInt32(text: string): number | null {
  if (!INT.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** `"4"` → [4, 4]; `"4x3"` (or `4×3`, `4,3`) → [4, 3]; anything else → null. */
export function parsePair(text: string): Pair | null {
  const parts = text.split(/[x×,]/);
  if (parts.length < 1 || parts.length > 2) return null;
  const values = parts.map((p) => parseInt32(p.trim()));
  if (values.some((v) => v === null)) return null;
  const [a, b] = values as number[];
  return [a!, b ?? a!];
}

/** [4, 4] → `"4x4"`. */
export function formatPair(p: Pair): string {
  return `${p[0]}x${p[1]}`;
}

/** `"1,2.5,-3"` → [1, 2.5, -3]; `""` → []; an empty or non-numeric item → null. */
export function parseNumbers(text: string): number[] | null {
  if (text.trim() === '') return [];
  const items = text.split(',').map((p) => p.trim());
  if (items.some((p) => p === '')) return null;
  const values = items.map(Number);
  return values.every((v) => Number.isFinite(v)) ? values : null;
}

/** Four integers (ONNX `pads` for two axes: begin h, begin w, end h, end w). */
export type Quad = readonly [number, number, number, number];

/** `"1,0,0,1"` → [1, 0, 0, 1]; anything but four integers → null. */
export function parseQuad(text: string): Quad | null {
  const list = parseNumbers(text);
  if (!list?.every(Number.isSafeInteger)) return null;
  const [a, b, c, d, ...rest] = list;
  return a === undefined || b === undefined || c === undefined || d === undefined || rest.length > 0
    ? null
    : [a, b, c, d];
}

/** Reads parameters from `params`, pushing one sentence per ignored value onto `problems`. */
export function queryReader(params: URLSearchParams, problems: string[]) {
  function read<T>(key: string, fallback: T, parse: (s: string) => T | null, rule: string): T {
    const raw = params.get(key);
    if (raw === null) return fallback;
    const value = parse(raw);
    if (value === null) {
      problems.push(`${key} "${raw}" ignored: ${rule}`);
      return fallback;
    }
    return value;
  }
  const PAIR_RULE = 'expected an integer or two joined by "x", like 3 or 4x3';
  return {
    read,
    pair: (key: string, fallback: Pair): Pair => read(key, fallback, parsePair, PAIR_RULE),
    int: (key: string, fallback: number): number => read(key, fallback, parseInt32, 'expected an integer'),
    oneOf: <T extends string>(key: string, values: readonly T[], fallback: T): T =>
      read(
        key,
        fallback,
        (s) => (values.includes(s as T) ? (s as T) : null),
        `expected one of ${values.join(', ')}`,
      ),
    /** An optional pair: absent → fallback, empty → null (not set). */
    optional: (key: string, fallback: Pair | null): Pair | null => {
      if (!params.has(key)) return fallback;
      return params.get(key) ? read<Pair | null>(key, null, parsePair, PAIR_RULE) : null;
    },
  };
}
