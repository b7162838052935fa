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

/**
 * {@link fillChannels} for a part of a stride-phase split: only the outputs whose last coordinate
 * o has (o + padBegin) mod stride in [rLo, rHi) — those the part's taps reach, and the outputs no
 * tap reaches of that residue — so the parts together fill every output once. `rowLength` is the
 * output's last axis; each row's owned outputs are runs of rHi − rLo, one per stride.
 */
export function fillResidues(
  out: usize,
  bias: usize,
  batch: i32,
  outC: i32,
  coutG: i32,
  c0: i32,
  c1: i32,
  outPlane: i32,
  rowLength: i32,
  stride: i32,
  padBegin: i32,
  rLo: i32,
  rHi: i32,
): void {
  const rows = outPlane / rowLength;
  // u = o + padBegin runs over [padBegin, padBegin + rowLength): runs [P·stride + rLo, P·stride + rHi)
  const first = padBegin / stride;
  const lastPeriod = (padBegin + rowLength - 1) / stride;
  for (let n = 0; n < batch; n++) {
    for (let co = 0; co < outC; co++) {
      // channels [c0, c1) of every group (groups are consecutive runs of coutG channels)
      const cog = co % coutG;
      if (cog < c0 || cog >= c1) continue;
      const v: f32 = bias ? load<f32>(bias + ((<usize>co) << 2)) : 0;
      const plane = out + ((<usize>((n * outC + co) * outPlane)) << 2);
      for (let r = 0; r < rows; r++) {
        const row = plane + ((<usize>(r * rowLength)) << 2);
        for (let P = first; P <= lastPeriod; P++) {
          const a = max(P * stride + rLo, padBegin) - padBegin;
          const b = min(P * stride + rHi, padBegin + rowLength) - padBegin;
          for (let o = a; o < b; o++) store<f32>(row + ((<usize>o) << 2), v);
        }
      }
    }
  }
}

/**
 * How many of the `length` floats at `at` are ±Infinity or NaN (their exponent bits all set),
 * four at a time: the overflow rule's scan of an output (none in ordinary use), at memory speed
 * instead of a JavaScript float loop's (which was a third of a depthwise layer's call).
 */
export function nonFinite(at: usize, length: i32): i32 {
  const exponent = i32x4.splat(0x7f800000);
  let counts = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const bits = v128.and(v128.load(at + ((<usize>i) << 2)), exponent);
    // eq gives −1 per lane whose exponent is all ones: subtracting counts them
    counts = i32x4.sub(counts, i32x4.eq(bits, exponent));
  }
  let n =
    i32x4.extract_lane(counts, 0) +
    i32x4.extract_lane(counts, 1) +
    i32x4.extract_lane(counts, 2) +
    i32x4.extract_lane(counts, 3);
  for (; i < length; i++) if ((load<i32>(at + ((<usize>i) << 2)) & 0x7f800000) === 0x7f800000) n++;
  return n;
}

/**
 * ∂L/∂bias of a backward call: per output channel, `gy` ([batch][channels][spatial] f32) summed
 * over the batch and spatial positions into `out` (one f32 per channel). The sums are core's
 * `biasGradient`, in the same order and precision — four float64 partial sums (element i of a
 * plane into sum i mod 4, the last spatial % 4 into the first), then (s0 + s1) + (s2 + s3) rounded
 * to float32 — so the results are bit for bit the CPU backend's, here two float64 lanes at a time
 * instead of one JavaScript element.
 */
export function biasGradient(gy: usize, out: usize, batch: i32, channels: i32, spatial: i32): void {
  const spatial4 = spatial & ~3;
  for (let c = 0; c < channels; c++) {
    let s01 = f64x2.splat(0);
    let s23 = f64x2.splat(0);
    for (let n = 0; n < batch; n++) {
      const base = gy + ((<usize>((n * channels + c) * spatial)) << 2);
      for (let i = 0; i < spatial4; i += 4) {
        const v = v128.load(base + ((<usize>i) << 2));
        s01 = f64x2.add(s01, f64x2.promote_low_f32x4(v));
        s23 = f64x2.add(s23, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      }
      // core adds a plane's last spatial % 4 elements into s0 before the next item's
      if (spatial4 < spatial) {
        let s0 = f64x2.extract_lane(s01, 0);
        for (let i = spatial4; i < spatial; i++) s0 += <f64>load<f32>(base + ((<usize>i) << 2));
        s01 = f64x2.replace_lane(s01, 0, s0);
      }
    }
    const sum =
      f64x2.extract_lane(s01, 0) +
      f64x2.extract_lane(s01, 1) +
      (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
    store<f32>(out + ((<usize>c) << 2), <f32>sum);
  }
}
