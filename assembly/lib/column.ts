// A column of the kernel's stores, as the Wasm core has it: a StaticArray<f64>, whose elements start at the
// object's own address, so reading row i is one load from (column + 8i). asc makes this file's exports global
// (asconfig "lib"); tsc sees F64Column as a Float64Array (src/engine/portable.d.ts).
export type F64Column = StaticArray<f64>;
