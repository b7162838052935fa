export type { ChromiumOptions } from './chromium';
export { ensureChromium, launchChromium } from './chromium';
export type { Route, ServeOptions, StaticServer } from './serve';
export { serveStatic } from './serve';
