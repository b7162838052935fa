// Shared by every kernel: the output starts as the bias, and the kernels add into it.

/**
 * Writes the bias (or zeros when `bias` is 0) into output channels [c0, c1) of every group and
 * batch item: `out` is [batch][outC][outPlane] f32, `bias` one f32 per output channel.
 */
export function fillChannels(
  out: usize,
  bias: usize,
  batch: i32,
  groups: i32,
  outC: i32,
  coutG: i32,
  c0: i32,
  c1: i32,
  outPlane: i32,
): void {
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      for (let cog = c0; cog < c1; cog++) {
        const co = g * coutG + cog;
        const v: f32 = bias ? load<f32>(bias + ((<usize>co) << 2)) : 0;
        const base = out + ((<usize>((n * outC + co) * outPlane)) << 2);
        const vv = f32x4.splat(v);
        let i = 0;
        for (; i + 4 <= outPlane; i += 4) v128.store(base + ((<usize>i) << 2), vv);
        for (; i < outPlane; i++) store<f32>(base + ((<usize>i) << 2), v);
      }
    }
  }
}
