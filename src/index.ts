// dynmem: Hyper-V Dynamic Memory, computed and simulated. What a user needs; helpers stay in their modules.

export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type Checkpoint,
  type CheckpointKind,
  type RestoreOptions,
} from './checkpoint/format.ts';
export type { AutoBalancer, AutoBalancerLevel, AutoBalancerMode } from './cluster/auto-balancer.ts';
export {
  Cluster,
  type ClusterCounters,
  type ClusterOptions,
  createCluster,
  type FailoverReport,
  type RecoveryReport,
  restoreCluster,
} from './cluster/cluster.ts';
export type { Migration, MigrationReason, MigrationStatus } from './cluster/migrations.ts';
export type { EngineKind } from './engine/engine.ts';
export { loadCoreModule } from './engine/load-wasm.ts';
export { DynamicMemoryError, type DynamicMemoryErrorCode, E_OUTOFMEMORY, type StartFailure } from './errors.ts';
export type { EngineOptions } from './host/create.ts';
export { type CreateHostOptions, createHost, Host, restoreHost } from './host/host.ts';
export { autoReserveMB, CLUSTER_RESERVE_MB, type HostOptions } from './host/options.ts';
export { esxMinFreeMB, POLICIES, type PolicyName, type PolicyOptions } from './host/policy.ts';
export type { HostCounters, MemoryStatus, NumaNodeCounters, VmSnapshot, VmState } from './host/snapshot.ts';
export { HYPERV_VERSIONS, type HyperVVersion } from './host/versions.ts';
export type { VmHandles } from './host/vm-handles.ts';
export type { AssignedComparison, ComparisonReport } from './interop/compare.ts';
export {
  DYNMEM_DEMAND_COUNTER,
  HYPERV_BALANCER_COUNTERS,
  HYPERV_BALANCER_INSTANCE,
  HYPERV_BALANCER_OBJECT,
  HYPERV_VM_COUNTERS,
  HYPERV_VM_OBJECT,
} from './interop/counter-names.ts';
export { InteropError } from './interop/errors.ts';
export {
  hostCountersFromPdh,
  type PdhColumn,
  type PdhHostSeries,
  type PdhTable,
  type PdhVmSeries,
  parsePdhCsv,
  vmCountersFromPdh,
} from './interop/pdh-csv.ts';
export { type PdhSeriesInput, type PdhWriteInput, writePdhCsv } from './interop/pdh-write.ts';
export {
  mergePowerShellExports,
  type PowerShellImportOptions,
  type PowerShellMergeOptions,
  type PowerShellVmRecord,
  vmsFromPowerShellJson,
} from './interop/powershell.ts';
export { simulationPdhCsv } from './interop/simulation-pdh.ts';
export { checkPlan, PlanError, type PlanOptions, type PlanProgress, PlanStopped, plan } from './plan/index.ts';
export { PLAN_SCHEMA } from './plan/plan-schema.ts';
export type {
  Plan,
  PlanProfile,
  PlanQuestion,
  PlanResult,
  PlanRun,
  PlanTargets,
  RunMetrics,
  RunPoint,
  SweepPoint,
  VariantAnswer,
} from './plan/types.ts';
export {
  type ChartLine,
  type LineChartOptions,
  lineChart,
  type ReportHtmlOptions,
  reportHtml,
  timeSeriesCsv,
  vmSeriesCsv,
} from './report/index.ts';
export { DEFAULT_MAX_VM_MEMORY_MB, type VmConfig, type VmMemoryLimit, type VmSettings } from './settings.ts';
export {
  compareReplay,
  type RecordingClock,
  type Replay,
  type ReplayOptions,
  replayScenario,
} from './sim/replay.ts';
export {
  checkScenario,
  type DemandInterpolation,
  type Duration,
  parseDuration,
  type Scenario,
  ScenarioError,
  type ScenarioEvent,
  type ScenarioFleet,
  type ScenarioVm,
} from './sim/scenario.ts';
export { SCENARIO_SCHEMA } from './sim/scenario-schema.ts';
export type { HostSeries, SimulationSeries, VmSeries } from './sim/series.ts';
export { type SimulateOptions, type SimulationResult, simulate } from './sim/simulate.ts';
export type { SimulationSummary } from './sim/summary.ts';
export type { TraceLoader } from './sim/trace-loader.ts';
export {
  type DemandTrace,
  formatGenericCsv,
  parseBitbrains,
  parseGenericCsv,
  parseTraceText,
  TraceError,
  type TraceRepairs,
} from './traces/index.ts';
