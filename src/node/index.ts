// dynmem/node: the Node-only parts — files in and out.
export { readTraceFile, listTraceFiles } from './read-traces.ts';
export { writeReport, summaryJson, type ReportFormat } from './write-report.ts';
export { readJsonFile, JsonFileError } from './json-file.ts';
export { main as runCli } from '../cli/main.ts';
