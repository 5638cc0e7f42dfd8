// Table cells and tables of the HTML reports (the run's and the policies' sections).
import { escapeXml as esc, formatNumber } from './svg.ts';

/** Long tables stop here: a page with 10,000 start failures helps nobody, and stays loadable. */
export const MAX_TABLE_ROWS = 200;

/** MB for a table: whole, or one decimal below 100. */
export const mb = (x: number) => formatNumber(x, Math.abs(x) < 100 && !Number.isInteger(x) ? 1 : 0);
export const pct = (x: number) => (Number.isFinite(x) ? `${formatNumber(x, 1)} %` : '—');
/** A right-aligned cell; its content is already HTML (numbers formatted, text escaped). */
export const num = (html: string) => `<td class="num">${html}</td>`;
/** A text cell, escaped. */
export const text = (s: string) => `<td>${esc(s)}</td>`;

/** A table whose cells are already HTML; rows past MAX_TABLE_ROWS are counted in a last "… N more" row. */
export function table(headers: string[], rows: string[], extra = ''): string {
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const more = rows.length - shown.length;
  return (
    `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n` +
    shown.map((r) => `<tr>${r}</tr>`).join('\n') +
    (more > 0 ? `\n<tr class="more"><td colspan="${headers.length}">… ${formatNumber(more)} more</td></tr>` : '') +
    `</tbody>${extra}</table>`
  );
}
