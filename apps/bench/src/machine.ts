import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Machine } from './row';

/** The vector extensions that decide native and WebAssembly speed, in the order they are listed. */
const VECTOR_FLAGS = ['sse4_1', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'asimd', 'neon'];

/** The {@link VECTOR_FLAGS} a `/proc/cpuinfo` text lists (its first `flags`/`Features` line). */
export function vectorFlags(cpuinfo: string): string[] {
  const line = cpuinfo.match(/^(?:flags|Features)\s*:(.*)$/m)?.[1] ?? '';
  const present = new Set(line.trim().split(/\s+/));
  return VECTOR_FLAGS.filter((f) => present.has(f));
}

function cpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return ''; // not Linux: the flags are unknown
  }
}

/** The machine this process runs on, as every result records it. */
export function machineInfo(): Machine {
  return {
    cpus: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpuFlags: vectorFlags(cpuinfo()),
  };
}
