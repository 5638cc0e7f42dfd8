/**
 * Reports of a simulation: time series as CSV, SVG line charts, and a self-contained HTML page. Browser-safe: pure
 * functions from data to strings; writing files is the caller's business.
 */
export { csvNumber, csvText, TOTAL_HOST, timeSeriesCsv, vmSeriesCsv } from './csv.ts';
export {
  type ComparisonReport,
  formatDuration,
  MAX_HOSTS_CHARTED,
  MAX_TABLE_ROWS,
  type ReportHtmlOptions,
  reportHtml,
} from './html.ts';
export {
  MAX_REPLAY_CHARTS,
  type RecordedMemory,
  type ReplayRecording,
  replayCharts,
  worstVms,
} from './replay-charts.ts';
export {
  type ChartBand,
  type ChartEnvelope,
  type ChartLine,
  downsample,
  envelopeBuckets,
  escapeXml,
  formatClock,
  formatNumber,
  type LineChartOptions,
  lineChart,
  PALETTE,
  type WallClock,
} from './svg.ts';
