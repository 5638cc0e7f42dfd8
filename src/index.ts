// dynmem: Hyper-V Dynamic Memory, computed and simulated.
export { createHost, Host, type CreateHostOptions } from './host/host.ts';
export { DynamicMemoryError, E_OUTOFMEMORY, type DynamicMemoryErrorCode } from './errors.ts';
export { type VmSettings, type VmConfig, DEFAULT_MAX_VM_MEMORY_MB } from './settings.ts';
export { type HostOptions, autoReserveMB, CLUSTER_RESERVE_MB } from './host/options.ts';
export { type EngineOptions, type EngineKind } from './host/create.ts';
export { type VmSnapshot, type HostCounters, type VmState, type MemoryStatus } from './host/snapshot.ts';
export { loadCoreModule } from './engine/load-wasm.ts';
export { createCluster, Cluster, type ClusterOptions, type FailoverReport, type ClusterCounters } from './cluster/cluster.ts';
export { simulate, type SimulateOptions, type SimulationResult } from './sim/simulate.ts';
export { ScenarioError, parseDuration, checkScenario, type Scenario, type ScenarioVm, type ScenarioFleet, type ScenarioEvent, type Duration } from './sim/scenario.ts';
export { type SimulationSummary } from './sim/summary.ts';
export { type SimulationSeries, type HostSeries, type VmSeries } from './sim/series.ts';
export { type TraceLoader, parseTraceText } from './sim/trace-loader.ts';
export * from './traces/index.ts';
export * from './interop/index.ts';
export { replayScenario, compareReplay, type Replay, type ReplayOptions } from './sim/replay.ts';
export { simulationPdhCsv } from './interop/simulation-pdh.ts';
export { reportHtml, timeSeriesCsv, vmSeriesCsv, lineChart, type ReportHtmlOptions, type LineChartOptions, type ChartLine } from './report/index.ts';
