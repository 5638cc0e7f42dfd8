// The smaller and the larger of two amounts, written as the Wasm core's f64x2.pmin / f64x2.pmax compute them
// (b < a ? b : a, and a < b ? b : a), so the scalar and lane-parallel kernels agree even on ±0, and because
// V8 compiles a compare and select much faster than Math.min / Math.max (which must handle NaN and −0).
// Portable (asc and tsc). Never called with NaN.

export function lesser(a: f64, b: f64): f64 {
  return b < a ? b : a;
}

export function greater(a: f64, b: f64): f64 {
  return a < b ? b : a;
}
