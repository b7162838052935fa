/** A tiny DOM builder: the page has no framework. */

/** Attributes and event handlers of {@link h}. Keys starting with `on` are listeners. */
export type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** A child: a node, text, or nothing. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Creates an element with attributes, listeners and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'className') el.className = String(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Formats a number for a grid cell: integers as they are, others with up to 3 decimals. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(3)));
}

/** `[8, 8]` → `8×8`. */
export function sizeText(size: readonly number[]): string {
  return size.join('×');
}
