import os from 'node:os';
import type { Machine } from './row';

/** The machine this process runs on, as every result records it. */
export function machineInfo(): Machine {
  return {
    cpus: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}
