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
  type ChartBand,
  type ChartLine,
  downsample,
  escapeXml,
  formatClock,
  formatNumber,
  type LineChartOptions,
  lineChart,
  PALETTE,
} from './svg.ts';
