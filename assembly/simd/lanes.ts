// Two VMs at a time: f64x2 lanes over the store's columns, for the Wasm core's hot passes.
//
// A host's VMs are visited in pairs from its first row; when the host has an odd number of VMs the last pair's
// second lane is the next row, which belongs to another host (or to the padding after the last column row): the
// `valid` mask of that pair has only its first lane set, and every pass masks its sums and its writes of real
// state with it. Selects, compares to masks and pmin/pmax replace branches: on random data a branch costs a
// misprediction in half the cases, a select never does.

/** All lanes, and the first lane only (the last pair of a host with an odd number of VMs). */
export const BOTH_LANES: v128 = i64x2(-1, -1);
export const FIRST_LANE: v128 = i64x2(-1, 0);
export const ZERO: v128 = f64x2(0.0, 0.0);
export const ONE: v128 = f64x2(1.0, 1.0);
export const INFINITY: v128 = f64x2(Infinity, Infinity);
export const HUNDRED: v128 = f64x2(100.0, 100.0);

/** The valid lanes of the pair starting at row `i` of a host ending before row `to`. */
// @ts-expect-error: decorator
@inline export function validLanes(i: i32, to: i32): v128 {
  return i + 1 < to ? BOTH_LANES : FIRST_LANE;
}

/** Address of a column's data (a StaticArray<f64>'s elements start at its own address). */
// @ts-expect-error: decorator
@inline export function at(column: F64Column): usize {
  return changetype<usize>(column);
}

/** Rows i and i + 1 of the column at `base`. */
// @ts-expect-error: decorator
@inline export function load2(base: usize, i: i32): v128 {
  return v128.load(base + ((<usize>i) << 3));
}

// @ts-expect-error: decorator
@inline export function store2(base: usize, i: i32, value: v128): void {
  v128.store(base + ((<usize>i) << 3), value);
}

/** 1.0 in the lanes of `mask`, 0.0 elsewhere (to count them). */
// @ts-expect-error: decorator
@inline export function ones(mask: v128): v128 {
  return v128.and(mask, ONE);
}

/** A count of lanes: one more in each lane of `mask`, as whole numbers (an all-ones lane is −1 as an i64), so that
 * no constant 1.0 is needed in the loop (the compiler rebuilds a v128 constant at each use rather than keep it in
 * a register). Start at ZERO; `laneCount` reads it. */
// @ts-expect-error: decorator
@inline export function countIn(count: v128, mask: v128): v128 {
  return i64x2.sub(count, mask);
}

/** Σ of the two lanes of a `countIn` count. */
// @ts-expect-error: decorator
@inline export function laneCount(count: v128): f64 {
  return <f64>(i64x2.extract_lane(count, 0) + i64x2.extract_lane(count, 1));
}

/** `value` in the lanes of `mask`, 0.0 elsewhere. */
// @ts-expect-error: decorator
@inline export function keep(value: v128, mask: v128): v128 {
  return v128.and(value, mask);
}

/** Sum of the two lanes. Every amount the kernel sums is whole MB, so this equals the scalar running sum. */
// @ts-expect-error: decorator
@inline export function laneSum(x: v128): f64 {
  return f64x2.extract_lane(x, 0) + f64x2.extract_lane(x, 1);
}

// @ts-expect-error: decorator
@inline export function laneMax(x: v128): f64 {
  return Math.max(f64x2.extract_lane(x, 0), f64x2.extract_lane(x, 1));
}

// @ts-expect-error: decorator
@inline export function laneMin(x: v128): f64 {
  return Math.min(f64x2.extract_lane(x, 0), f64x2.extract_lane(x, 1));
}

/** Math.min(a, b) and Math.max(a, b) of the scalar kernel, lane by lane (equal for the non-NaN values here). */
// @ts-expect-error: decorator
@inline export function min2(a: v128, b: v128): v128 {
  return f64x2.pmin(a, b);
}

// @ts-expect-error: decorator
@inline export function max2(a: v128, b: v128): v128 {
  return f64x2.pmax(a, b);
}
