// Charts of a plan as SVG strings: a curve over counts or memory (not time), with the chosen point and the target
// marked, and a heat map of two swept settings. Same look as the run report's charts (palette, font, escaping).
import { escapeXml as esc, formatNumber, niceTicks, PALETTE, tickDecimals } from '../report/svg.ts';

export interface CurveSeries {
  label: string;
  points: { x: number; y: number; ok: boolean }[];
  color?: string;
  dashed?: boolean;
}

export interface CurveChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: CurveSeries[];
  /** A horizontal line: the target. */
  limit?: { y: number; label: string };
  /** Vertical marks: the chosen points. */
  marks?: { x: number; label: string; color?: string }[];
  width?: number;
  height?: number;
}

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12"`;
const r1 = (x: number) => String(Math.round(x * 10) / 10);

function ticks(lo: number, hi: number, target: number): { values: number[]; decimals: number } {
  const values = niceTicks(lo, hi > lo ? hi : lo + 1, target);
  return { values, decimals: tickDecimals(values) };
}

/**
 * A curve over whole numbers (VMs, MB): each run a dot (filled when it met every target, hollow when not), joined
 * in x order; the target as a dashed horizontal line; the answers as vertical marks.
 */
export function curveChart(o: CurveChartOptions): string {
  const width = o.width ?? 760;
  const height = o.height ?? 320;
  const all = o.series.flatMap((s) => s.points);
  const xsAll = [...all.map((p) => p.x), ...(o.marks ?? []).map((m) => m.x)];
  let x0 = Math.min(...xsAll, Infinity);
  let x1 = Math.max(...xsAll, -Infinity);
  if (!(x1 >= x0)) [x0, x1] = [0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  const ysAll = [0, ...all.map((p) => p.y), ...(o.limit ? [o.limit.y] : [])].filter(Number.isFinite);
  const yHiRaw = Math.max(...ysAll);
  const yt = ticks(0, yHiRaw > 0 ? yHiRaw : 1, 5);
  const yHi = Math.max(yt.values[yt.values.length - 1]!, yHiRaw);
  const xt = ticks(x0, x1, 8);
  // Room for the longest y label (about 7 px a character at 12 px) and the axis title.
  const left = 30 + Math.max(...yt.values.map((v) => formatNumber(v, yt.decimals).length)) * 7;
  const right = 24;
  const top = 30;
  const legendH = 22;
  const bottom = 44 + legendH;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const sx = (x: number) => left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) => top + plotH - (Math.min(Math.max(y, 0), yHi) / (yHi || 1)) * plotH;
  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ${FONT}>`,
    `<title>${esc(o.title)}</title>`,
    `<desc>${esc(`${o.series.map((s) => s.label).join('; ')}: ${o.yLabel} against ${o.xLabel}.`)}</desc>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="600" fill="#222">${esc(o.title)}</text>`,
  );
  const grid: string[] = [];
  for (const v of yt.values) {
    if (v > yHi + 1e-9) continue;
    grid.push(`<line x1="${left}" y1="${r1(sy(v))}" x2="${left + plotW}" y2="${r1(sy(v))}"/>`);
    out.push(
      `<text x="${left - 6}" y="${r1(sy(v))}" dy="0.32em" text-anchor="end" fill="#444">${esc(formatNumber(v, yt.decimals))}</text>`,
    );
  }
  for (const v of xt.values) {
    grid.push(`<line x1="${r1(sx(v))}" y1="${top}" x2="${r1(sx(v))}" y2="${top + plotH}"/>`);
    out.push(
      `<text x="${r1(sx(v))}" y="${top + plotH + 15}" text-anchor="middle" fill="#444">${esc(formatNumber(v, xt.decimals))}</text>`,
    );
  }
  out.push(`<g stroke="#e4e4e4">${grid.join('')}</g>`);
  out.push(`<path d="M${left},${top}V${top + plotH}H${left + plotW}" fill="none" stroke="#888"/>`);
  out.push(
    `<text x="${r1(left + plotW / 2)}" y="${top + plotH + 34}" text-anchor="middle" fill="#222">${esc(o.xLabel)}</text>`,
    `<text transform="translate(13 ${r1(top + plotH / 2)}) rotate(-90)" text-anchor="middle" fill="#222">${esc(o.yLabel)}</text>`,
  );
  if (o.limit) {
    const y = r1(sy(o.limit.y));
    out.push(
      `<line class="limit" x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#D55E00" stroke-dasharray="4 3"/>`,
      `<text x="${left + plotW - 4}" y="${y}" dy="-4" text-anchor="end" fill="#D55E00">${esc(o.limit.label)}</text>`,
    );
  }
  for (const m of o.marks ?? []) {
    const x = r1(sx(m.x));
    const color = esc(m.color ?? '#222');
    out.push(
      `<line class="mark" x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="${color}" stroke-width="1.5"/>`,
      `<text x="${x}" y="${top + 12}" dx="4" fill="${color}">${esc(m.label)}</text>`,
    );
  }
  o.series.forEach((s, k) => {
    const color = esc(s.color ?? PALETTE[k % PALETTE.length]!);
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    if (pts.length > 1) {
      const d = pts.map((p, i) => `${i ? 'L' : 'M'}${r1(sx(p.x))},${r1(sy(p.y))}`).join('');
      out.push(
        `<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${esc(s.label)}</title></path>`,
      );
    }
    for (const p of pts) {
      out.push(
        `<circle cx="${r1(sx(p.x))}" cy="${r1(sy(p.y))}" r="3.5" fill="${p.ok ? color : '#fff'}" stroke="${color}" stroke-width="1.5">` +
          `<title>${esc(`${s.label}: ${formatNumber(p.x)} → ${formatNumber(p.y, 3)}${p.ok ? '' : ' (misses a target)'}`)}</title></circle>`,
      );
    }
  });
  let lx = left;
  const ly = height - 12;
  o.series.forEach((s, k) => {
    const color = esc(s.color ?? PALETTE[k % PALETTE.length]!);
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${lx + 26}" y="${ly}" dy="0.32em" fill="#222">${esc(s.label)}</text>`,
    );
    lx += 40 + s.label.length * 8;
  });
  out.push(`<text x="${lx}" y="${ly}" dy="0.32em" fill="#666">● meets every target  ○ misses one</text>`, '</svg>');
  return out.join('\n');
}

export interface HeatMapOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xValues: unknown[];
  yValues: unknown[];
  /** Cell value at (x index, y index); NaN for none. */
  value: (xi: number, yi: number) => number;
  /** How a cell's value reads ("41 VMs"). */
  format: (v: number) => string;
  /** Higher is better (VMs) or worse (shortfall): decides which end is dark. */
  higherIsBetter: boolean;
}

/** A grid of coloured cells, one per pair of swept values, each labelled with its value. */
export function heatMap(o: HeatMapOptions): string {
  const cellW = Math.max(64, Math.min(120, Math.floor(640 / o.xValues.length)));
  const cellH = 34;
  const left = 140;
  const top = 48;
  const width = left + cellW * o.xValues.length + 20;
  const height = top + cellH * o.yValues.length + 44;
  const values = o.xValues.flatMap((_, xi) => o.yValues.map((_, yi) => o.value(xi, yi))).filter(Number.isFinite);
  // Shades span the values shown: a map of 49 and 53 VMs tells them apart.
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const shade = (v: number) => {
    if (!Number.isFinite(v)) return '#eee';
    const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    const good = o.higherIsBetter ? t : 1 - t;
    // From pale to the palette's blue: light cells are the worse settings.
    const mix = (a: number, b: number) => Math.round(a + (b - a) * good);
    return `rgb(${mix(240, 0)},${mix(244, 114)},${mix(248, 178)})`;
  };
  const show = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : JSON.stringify(v));
  const out: string[] = [
    `<svg class="chart heatmap" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ${FONT}>`,
    `<title>${esc(o.title)}</title>`,
    `<desc>${esc(`${o.title}: ${o.yLabel} (rows) by ${o.xLabel} (columns).`)}</desc>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="18" font-size="14" font-weight="600" fill="#222">${esc(o.title)}</text>`,
    `<text x="${left + (cellW * o.xValues.length) / 2}" y="36" text-anchor="middle" fill="#222">${esc(o.xLabel)}</text>`,
    `<text x="12" y="36" fill="#222">${esc(o.yLabel)} ↓</text>`,
  ];
  o.xValues.forEach((x, xi) => {
    out.push(
      `<text x="${left + xi * cellW + cellW / 2}" y="${top + cellH * o.yValues.length + 16}" text-anchor="middle" fill="#444">${esc(show(x))}</text>`,
    );
  });
  o.yValues.forEach((y, yi) => {
    out.push(
      `<text x="${left - 8}" y="${top + yi * cellH + cellH / 2}" dy="0.32em" text-anchor="end" fill="#444">${esc(show(y))}</text>`,
    );
    o.xValues.forEach((_, xi) => {
      const v = o.value(xi, yi);
      const fill = shade(v);
      const dark = Number.isFinite(v) && (o.higherIsBetter ? v - lo : hi - v) / (hi - lo || 1) > 0.55;
      out.push(
        `<rect x="${left + xi * cellW}" y="${top + yi * cellH}" width="${cellW - 2}" height="${cellH - 2}" fill="${fill}"><title>${esc(`${show(o.xValues[xi])}, ${show(o.yValues[yi])}: ${Number.isFinite(v) ? o.format(v) : '—'}`)}</title></rect>`,
        `<text x="${left + xi * cellW + cellW / 2 - 1}" y="${top + yi * cellH + cellH / 2 - 1}" dy="0.32em" text-anchor="middle" fill="${dark ? '#fff' : '#222'}">${esc(Number.isFinite(v) ? o.format(v) : '—')}</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n');
}
