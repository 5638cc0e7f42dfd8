/**
 * Reports of a simulation: time series as CSV, SVG line charts, and a self-contained HTML page. Browser-safe: pure
 * functions from data to strings; writing files is the caller's business.
 */
export { timeSeriesCsv, vmSeriesCsv, csvNumber, csvText, TOTAL_HOST } from './csv.ts';
export { lineChart, downsample, escapeXml, formatNumber, formatClock, PALETTE, type LineChartOptions, type ChartLine, type ChartBand } from './svg.ts';
export { reportHtml, formatDuration, MAX_TABLE_ROWS, MAX_HOSTS_CHARTED, type ReportHtmlOptions, type ComparisonReport } from './html.ts';
