// AssemblyScript: im2col and col2im, the data movement around convolutions as matrix products (see kernels.ts).

import { splat } from './common';

// ---------------------------------------------------------------------------------------------
// Convolution data movement, NHWC: im2col writes rows of cols [N·OH·OW, fh·fw·C] (each output
// pixel's patch, taps in filter order, zeros where a tap falls into the padding); col2im adds such a
// matrix back into dx (zeroed here), the input gradient's scatter.

@inline function copyRun(to: usize, from: usize, bytes: usize, vec: usize): void {
  let o: usize = 0;
  for (; o < vec; o += 16) v128.store(to + o, v128.load(from + o));
  for (; o < bytes; o += 4) store<f32>(to + o, load<f32>(from + o));
}

@inline function addRun(to: usize, from: usize, bytes: usize, vec: usize): void {
  let o: usize = 0;
  for (; o < vec; o += 16) v128.store(to + o, f32x4.add(v128.load(to + o), v128.load(from + o)));
  for (; o < bytes; o += 4) store<f32>(to + o, load<f32>(to + o) + load<f32>(from + o));
}

export function im2col(
  x: usize, cols: usize, m0: i32, count: i32,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32,
): void {
  // Rows m0 .. m0 + count of the patch matrix (output pixels in NHWC order), written from cols on.
  const bytes = (<usize>C) << 2;
  const vec = bytes & ~(<usize>15);
  // With dw = 1 a filter row's taps are fw·C consecutive floats of x: one run where all are inside.
  const rowBytes = bytes * <usize>fw;
  const rowVec = rowBytes & ~(<usize>15);
  let p = cols;
  let n = m0 / (OH * OW);
  let oh = (m0 / OW) % OH;
  let ow = m0 % OW;
  for (let m = 0; m < count; m++) {
    const iw0 = ow * sw - padLeft;
    const inside = dw == 1 && iw0 >= 0 && iw0 + fw <= W;
    for (let kh = 0; kh < fh; kh++) {
      const ih = oh * sh + kh * dh - padTop;
      if (ih < 0 || ih >= H) {
        for (let o: usize = 0; o < rowBytes; o += 4) store<f32>(p + o, 0);
        p += rowBytes;
        continue;
      }
      const xrow = x + (<usize>((n * H + ih) * W)) * bytes;
      if (inside) {
        copyRun(p, xrow + (<usize>iw0) * bytes, rowBytes, rowVec);
        p += rowBytes;
        continue;
      }
      for (let kw = 0; kw < fw; kw++) {
        const iw = iw0 + kw * dw;
        if (iw < 0 || iw >= W) {
          for (let o: usize = 0; o < bytes; o += 4) store<f32>(p + o, 0);
        } else {
          copyRun(p, xrow + (<usize>iw) * bytes, bytes, vec);
        }
        p += bytes;
      }
    }
    if (++ow == OW) {
      ow = 0;
      if (++oh == OH) {
        oh = 0;
        n++;
      }
    }
  }
}

export function col2im(
  cols: usize, dx: usize, m0: i32, count: i32, clear: i32,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32,
): void {
  // Adds rows m0 .. m0 + count of the patch matrix (read from cols on) into dx, zeroed first if `clear`.
  const bytes = (<usize>C) << 2;
  const vec = bytes & ~(<usize>15);
  if (clear) {
    const total = (<usize>(N * H * W)) * bytes;
    const totalVec = total & ~(<usize>15);
    let z: usize = 0;
    for (; z < totalVec; z += 16) v128.store(dx + z, splat(0));
    for (; z < total; z += 4) store<f32>(dx + z, 0);
  }
  const rowBytes = bytes * <usize>fw;
  const rowVec = rowBytes & ~(<usize>15);
  let p = cols;
  let n = m0 / (OH * OW);
  let oh = (m0 / OW) % OH;
  let ow = m0 % OW;
  for (let m = 0; m < count; m++) {
    const iw0 = ow * sw - padLeft;
    const inside = dw == 1 && iw0 >= 0 && iw0 + fw <= W;
    for (let kh = 0; kh < fh; kh++) {
      const ih = oh * sh + kh * dh - padTop;
      if (ih < 0 || ih >= H) {
        p += rowBytes;
        continue;
      }
      const dxrow = dx + (<usize>((n * H + ih) * W)) * bytes;
      if (inside) {
        addRun(dxrow + (<usize>iw0) * bytes, p, rowBytes, rowVec);
        p += rowBytes;
        continue;
      }
      for (let kw = 0; kw < fw; kw++) {
        const iw = iw0 + kw * dw;
        if (iw >= 0 && iw < W) addRun(dxrow + (<usize>iw) * bytes, p, bytes, vec);
        p += bytes;
      }
    }
    if (++ow == OW) {
      ow = 0;
      if (++oh == OH) {
        oh = 0;
        n++;
      }
    }
  }
}
