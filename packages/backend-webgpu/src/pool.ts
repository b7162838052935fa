/// <reference types="@webgpu/types" />

/**
 * Reuses GPU buffers between calls instead of creating and destroying them each time. Buffers are
 * grouped by usage and by a size class (the byte size rounded up to a multiple of 1/8 of its power of
 * two, at least 256 bytes, so a reused buffer wastes less than 12.5 % or 256 bytes); at most `maxIdleBytes` sit idle, the rest are destroyed.
 *
 * Returning a buffer right after `queue.submit` is safe: the queue runs writes and submissions in
 * the order they were issued, so a later `writeBuffer` into a reused buffer happens after the
 * commands that read it.
 */
export interface BufferPool {
  /** A buffer of at least `bytes` bytes with exactly `usage`. */
  acquire(bytes: number, usage: GPUBufferUsageFlags): GPUBuffer;
  /** Gives a buffer from {@link BufferPool.acquire} back. */
  release(buffer: GPUBuffer): void;
  /** Bytes currently lent out and idle. */
  stats(): { liveBytes: number; idleBytes: number };
  /** Destroys every buffer, lent or idle. */
  destroyAll(): void;
}

/** The size class of a byte count: at least 256, then 8 steps per power of two. */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const top = 2 ** Math.floor(Math.log2(bytes));
  const step = Math.max(top / 8, 256);
  return Math.ceil(bytes / step) * step;
}

/** Creates a pool on a device. */
export function createBufferPool(device: GPUDevice, maxIdleBytes = 256 * 2 ** 20): BufferPool {
  const idle = new Map<string, GPUBuffer[]>();
  const live = new Set<GPUBuffer>();
  let idleBytes = 0;
  let liveBytes = 0;
  const key = (size: number, usage: number): string => `${usage}:${size}`;
  return {
    acquire(bytes, usage) {
      const size = sizeClass(bytes);
      const list = idle.get(key(size, usage));
      let buffer = list?.pop();
      if (buffer) idleBytes -= size;
      else buffer = device.createBuffer({ size, usage });
      live.add(buffer);
      liveBytes += size;
      return buffer;
    },
    release(buffer) {
      if (!live.delete(buffer)) return;
      liveBytes -= buffer.size;
      if (idleBytes + buffer.size > maxIdleBytes) {
        buffer.destroy();
        return;
      }
      const k = key(buffer.size, buffer.usage);
      let list = idle.get(k);
      if (!list) idle.set(k, (list = []));
      list.push(buffer);
      idleBytes += buffer.size;
    },
    stats: () => ({ liveBytes, idleBytes }),
    destroyAll() {
      for (const b of live) b.destroy();
      for (const list of idle.values()) for (const b of list) b.destroy();
      live.clear();
      idle.clear();
      liveBytes = 0;
      idleBytes = 0;
    },
  };
}
