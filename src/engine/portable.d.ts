// The AssemblyScript value types the portable kernel (assembly/kernel) is written in, as plain JS numbers.
declare global {
  type f64 = number;
  type i32 = number;
  type u8 = number;
  type usize = number;
  type bool = boolean;
  /** A store column (a StaticArray<f64> in the Wasm build; see assembly/lib/column.ts). */
  type F64Column = Float64Array;
}

export {};
