// Hyper-V interop: VM settings from PowerShell exports, counters from and to PDH-CSV, and comparison of a simulation
// with a recording. Browser-safe throughout: every function takes text or arrays and returns data.

export * from './compare.ts';
export * from './counter-names.ts';
export * from './errors.ts';
export * from './pdh-csv.ts';
export * from './pdh-write.ts';
export * from './powershell.ts';
