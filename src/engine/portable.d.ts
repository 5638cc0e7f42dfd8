// The AssemblyScript value types the portable kernel (assembly/kernel) is written in, as plain JS numbers.
declare global {
  type f64 = number;
  type i32 = number;
  type u8 = number;
  type usize = number;
  type bool = boolean;
}
export {};
