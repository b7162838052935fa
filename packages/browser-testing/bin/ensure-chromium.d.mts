/** Where a usable Chromium is, or `undefined`. `CHROME_PATH` (or `TCONV_CHROMIUM`) wins when set. */
export function findChromium(): string | undefined;
/** The path of a Chromium to drive, installing Debian's `chromium` as root where none is found. */
export function ensureChromium(): string;
