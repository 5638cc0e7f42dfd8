// dynmem/node: the Node-only parts — files in and out.

export { main as runCli } from '../cli/main.ts';
export { JsonFileError, readJsonFile } from './json-file.ts';
export { listTraceFiles, readTraceFile } from './read-traces.ts';
export { type ReportedRun, type ReportFormat, summaryJson, writeReport } from './write-report.ts';
