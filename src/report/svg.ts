// A small line-chart builder that writes SVG as a string: no DOM, no dependencies, so it runs in Node and browsers
// alike and its output can be pasted into a self-contained HTML page.
//
// Text sizes are estimated (no font metrics without a DOM): about 0.68 em per character, what wide sans fonts such as DejaVu Sans
// need; labels are laid out with that margin to spare.

/** One line of a chart. */
export interface ChartLine {
  label: string;
  /** One value per entry of `times`; NaN leaves a gap. */
  values: ArrayLike<number>;
  /** Any SVG paint (`#0072B2`, `teal`); a colour-blind-safe palette is used when omitted. */
  color?: string;
  dashed?: boolean;
}

/** A shaded horizontal band between two y values, e.g. a zone of concern. It widens the y axis to show all of it. */
export interface ChartBand {
  from: number;
  to: number;
  label?: string;
  color?: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Sample times, seconds. The time unit, "(s)" or "(h:mm)", is appended to `xLabel`. */
  times: ArrayLike<number>;
  lines: ChartLine[];
  /** Size of the whole chart (legend included), px. Defaults 760 × 300. */
  width?: number;
  height?: number;
  /** Fixed bottom of the y axis; by default 0, or the least value when some are negative. Values below are clamped. */
  yMin?: number;
  /** The y axis reaches at least this high (charts compared side by side share one scale). */
  yMax?: number;
  band?: ChartBand[];
  /** `id` of the `<svg>` element (also used, suffixed, for its `<title>`). */
  id?: string;
  /** Text for `<desc>`; by default one naming the lines and the time range. */
  description?: string;
  /** Most points drawn per line; longer lines are reduced to the minimum and maximum of each bucket. Default 1,500. */
  maxPoints?: number;
  /** Add the SVG namespace, needed when the chart is saved as its own `.svg` file (not inside HTML). */
  standalone?: boolean;
  /** Events drawn as vertical lines across the plot, one legend entry per kind. */
  marks?: ChartMark[];
  /** Wall-clock time of time 0 (ms since 1970): runs longer than two days are then labelled with dates. */
  startTimeMs?: number;
  /** Label every span on a wall clock from `startTimeMs` (time of day, dates at midnight), as a recording is read,
   * rather than as time since the start. */
  wallClock?: WallClock;
  /** Shaded ranges drawn behind the lines, e.g. the least and most a series reached within each sample interval. */
  envelopes?: ChartEnvelope[];
}

/** A clock to read times on: its name for the axis label and how far it runs ahead of UTC. */
export interface WallClock {
  name: string;
  utcOffsetMinutes: number;
}

/** A shaded range over time, between `lower` and `upper` (one value each per entry of `times`; NaN leaves a gap). */
export interface ChartEnvelope {
  label: string;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  color?: string;
}

/** An event on the time axis (a failure, a restart, …); marks of one `kind` share a colour, a dash and a legend entry. */
export interface ChartMark {
  at: number;
  kind: string;
  /** Tooltip text; default the kind. */
  label?: string;
}

/** Dashes for event marks, by order of kind: distinct from each other and from the lines' solid or 6-4 dashes. */
const MARK_DASHES = ['2 3', '8 3', '4 2 1 2', '1 2', '6 2 2 2', '3 3'];
/** Colours for event marks, in order of preference; a chart skips those its lines use, so that a mark is never
 * taken for a line (a green recovery mark on a green line reads as a drop to zero). */
const MARK_COLORS = ['#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C564B', '#7F7F7F'];

/** Colour-blind-safe (Okabe–Ito, yellow dropped for contrast on white) followed by a few more distinct hues. */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#8C564B',
  '#7F7F7F',
  '#BCBD22',
];

const FONT_PX = 12;
const CHAR_PX = FONT_PX * 0.68;

/**
 * Escapes text for XML and HTML, in element content and in quoted attributes alike.
 * @example
 * escapeXml('<b>&"x"'); // "&lt;b&gt;&amp;&quot;x&quot;"
 */
export function escapeXml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/**
 * A number with a fixed count of decimals and comma-grouped thousands, independent of the runtime's locale (so
 * reports are the same everywhere). Non-finite numbers become "—".
 * @example
 * formatNumber(262144);      // "262,144"
 * formatNumber(-1234.5, 1);  // "-1,234.5"
 */
export function formatNumber(x: number, decimals = 0): string {
  if (!Number.isFinite(x)) return '—';
  const fixed = Math.abs(x).toFixed(decimals);
  const [whole, frac] = fixed.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  // Rounding may turn a tiny negative into zero: do not print "-0".
  const negative = x < 0 && Number(fixed) !== 0;
  return (negative ? '-' : '') + grouped + (frac === undefined ? '' : `.${frac}`);
}

/**
 * Seconds as a clock of simulated time, hours not wrapping at 24 (a 48 h run ends at "48:00").
 * @example
 * formatClock(5400);         // "1:30"
 * formatClock(5405, true);   // "1:30:05"
 */
export function formatClock(seconds: number, withSeconds = false): string {
  if (!Number.isFinite(seconds)) return '—';
  const sign = seconds < 0 ? '-' : '';
  const total = Math.round(Math.abs(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  return withSeconds ? `${sign}${h}:${mm}:${String(s).padStart(2, '0')}` : `${sign}${h}:${mm}`;
}

/**
 * Reduces a line to at most `maxPoints` points while keeping its peaks: the samples are cut into `maxPoints / 2`
 * buckets and each bucket keeps its smallest and largest value, in time order. (Averaging or taking every n-th sample
 * would hide exactly the spikes a reader looks for.) A bucket with no finite value becomes one NaN, a gap.
 * @example
 * const { times, values } = downsample(t, pressure, 1500); // 86,400 samples → ≤ 1,500
 */
export function downsample(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  maxPoints = 1500,
): { times: number[]; values: number[] } {
  const n = Math.min(times.length, values.length);
  const outT: number[] = [];
  const outV: number[] = [];
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) {
      outT.push(times[i]!);
      outV.push(values[i]!);
    }
    return { times: outT, values: outV };
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let iMin = -1;
    let iMax = -1;
    for (let i = start; i < end; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      if (iMin < 0 || v < values[iMin]!) iMin = i;
      if (iMax < 0 || v > values[iMax]!) iMax = i;
    }
    if (iMin < 0) {
      // Collapse consecutive empty buckets into one gap marker.
      if (outV.length === 0 || !Number.isNaN(outV[outV.length - 1])) {
        outT.push(times[start]!);
        outV.push(NaN);
      }
      continue;
    }
    const first = Math.min(iMin, iMax);
    const second = Math.max(iMin, iMax);
    outT.push(times[first]!);
    outV.push(values[first]!);
    if (second !== first) {
      outT.push(times[second]!);
      outV.push(values[second]!);
    }
  }
  return { times: outT, values: outV };
}

// Axis ticks by d3-array's rules (d3.ticks, d3.tickIncrement, scale.nice): steps of 1, 2 or 5 × 10^k chosen by
// the geometric midpoints √2, √10 and √50, and every tick computed as (start + i) × step (or divided, for steps
// below 1) so that no rounding error accumulates along the axis.
const E10 = Math.sqrt(50);
const E5 = Math.sqrt(10);
const E2 = Math.sqrt(2);

/** [first index, last index, increment]: ticks are i × inc for inc > 0, or i / −inc for inc < 0 (steps below 1). */
function tickSpec(start: number, stop: number, count: number): [number, number, number] {
  const step = (stop - start) / Math.max(0, count);
  const power = Math.floor(Math.log10(step));
  const error = step / 10 ** power;
  const factor = error >= E10 ? 10 : error >= E5 ? 5 : error >= E2 ? 2 : 1;
  let i1: number;
  let i2: number;
  let inc: number;
  if (power < 0) {
    inc = 10 ** -power / factor;
    i1 = Math.round(start * inc);
    i2 = Math.round(stop * inc);
    if (i1 / inc < start) ++i1;
    if (i2 / inc > stop) --i2;
    inc = -inc;
  } else {
    inc = 10 ** power * factor;
    i1 = Math.round(start / inc);
    i2 = Math.round(stop / inc);
    if (i1 * inc < start) ++i1;
    if (i2 * inc > stop) --i2;
  }
  if (i2 < i1 && 0.5 <= count && count < 2) return tickSpec(start, stop, count * 2);
  return [i1, i2, inc];
}

/**
 * About `count` round values from `start` to `stop` (both included when round), as d3-array's `ticks`.
 * @example
 * niceTicks(0, 1, 5);       // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * niceTicks(-0.3, 0.7, 5);  // [-0.2, 0, 0.2, 0.4, 0.6]
 */
export function niceTicks(start: number, stop: number, count: number): number[] {
  if (!(count > 0) || !Number.isFinite(start) || !Number.isFinite(stop)) return [];
  if (start === stop) return [start];
  const reverse = stop < start;
  const [i1, i2, inc] = reverse ? tickSpec(stop, start, count) : tickSpec(start, stop, count);
  if (!(i2 >= i1)) return [];
  const n = i2 - i1 + 1;
  const ticks = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const k = reverse ? i2 - i : i1 + i;
    ticks[i] = inc < 0 ? k / -inc : k * inc;
  }
  return ticks;
}

/** The tick step d3 would use (negative: its inverse, for steps below 1). */
function tickIncrement(start: number, stop: number, count: number): number {
  return tickSpec(start, stop, count)[2];
}

/**
 * The domain widened to round values, as d3's `scale.nice()`: repeated until the step settles.
 * @example
 * niceDomain(0.13, 9.7, 5); // [0, 10]
 */
export function niceDomain(start: number, stop: number, count: number): [number, number] {
  let previous: number | undefined;
  for (let iteration = 0; iteration < 10; iteration++) {
    const step = tickIncrement(start, stop, count);
    if (step === previous) break;
    if (step > 0) {
      start = Math.floor(start / step) * step;
      stop = Math.ceil(stop / step) * step;
    } else if (step < 0) {
      start = Math.ceil(start * step) / step;
      stop = Math.floor(stop * step) / step;
    } else break;
    previous = step;
  }
  return [start, stop];
}

/** Decimals that print every tick of a list exactly: from the step's power of ten (0.2 → 1, 0.05 → 2). */
export function tickDecimals(ticks: number[]): number {
  if (ticks.length < 2) return 0;
  const step = Math.abs(ticks[1]! - ticks[0]!);
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-12));
}

// Steps that read well on a clock: minutes, quarter hours, hours; past two days the axis counts days.
const CLOCK_STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
/** A recording's clock may also span a few minutes: seconds first. */
const WALL_STEPS = [1, 2, 5, 10, 15, 30, ...CLOCK_STEPS];
const DAY = 86400;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface TimeAxis {
  ticks: number[];
  format: (t: number) => string;
  unit: string;
}

/** Multiples of `step` from x0 to x1, each computed as i × step. */
function multiples(x0: number, x1: number, step: number): number[] {
  const ticks: number[] = [];
  for (let i = Math.ceil(x0 / step); i * step <= x1; i++) ticks.push(i * step);
  return ticks;
}

const twoDigits = (n: number) => String(n).padStart(2, '0');
const dayOf = (d: Date) => `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;

/** Ticks at round times of day of a clock that reads `localStartMs` (as if UTC) at time 0, dates at midnight. */
function wallClockAxis(x0: number, x1: number, maxTicks: number, localStartMs: number, name: string): TimeAxis {
  const base = localStartMs / 1000;
  const step = WALL_STEPS.find((s) => (x1 - x0) / s <= maxTicks) ?? DAY;
  const ticks = multiples(base + x0, base + x1, step).map((w) => w - base);
  const format = (t: number) => {
    const d = new Date(Math.round((base + t) * 1000));
    const seconds = d.getUTCSeconds() + d.getUTCMilliseconds() / 1000;
    if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && seconds === 0) return dayOf(d);
    const hm = `${twoDigits(d.getUTCHours())}:${twoDigits(d.getUTCMinutes())}`;
    return step < 60 ? `${hm}:${twoDigits(Math.round(seconds))}` : hm;
  };
  const start = new Date(localStartMs);
  return { ticks, format, unit: `${name}, ${dayOf(start)}, ${start.getUTCFullYear()}` };
}

function timeAxis(x0: number, x1: number, maxTicks: number, startUtcMs?: number, wallClock?: WallClock): TimeAxis {
  const span = x1 - x0;
  const startTimeMs =
    startUtcMs === undefined || wallClock === undefined ? startUtcMs : startUtcMs + wallClock.utcOffsetMinutes * 60_000;
  if (wallClock && startTimeMs !== undefined && span <= 2 * DAY)
    return wallClockAxis(x0, x1, maxTicks, startTimeMs, wallClock.name);
  if (span < 600) {
    // Under ten minutes seconds read better than "0:03".
    const ticks = niceTicks(x0, x1, maxTicks);
    const decimals = tickDecimals(ticks);
    return { ticks, format: (t) => formatNumber(t, decimals), unit: 's' };
  }
  if (span <= 2 * DAY) {
    const step = CLOCK_STEPS.find((s) => span / s <= maxTicks) ?? DAY;
    return { ticks: multiples(x0, x1, step), format: (t) => formatClock(t), unit: 'h:mm' };
  }
  // Days: whole days in nice steps (1, 2, 5, 10 … days); dated ticks fall on midnight UTC.
  const step = DAY * Math.max(1, tickIncrementPositive(x0 / DAY, x1 / DAY, maxTicks));
  if (startTimeMs !== undefined) {
    // Every `step` days counted from the midnight that begins the run.
    const midnight = Math.floor(startTimeMs / 1000 / DAY) * DAY - startTimeMs / 1000;
    const ticks = multiples(x0 - midnight, x1 - midnight, step).map((t) => t + midnight);
    return { ticks, format: (t) => dayOf(new Date(startTimeMs + t * 1000)), unit: `date, ${wallClock?.name ?? 'UTC'}` };
  }
  return { ticks: multiples(x0, x1, step), format: (t) => formatNumber(t / DAY), unit: 'days' };
}

/** A step of at least 1 in d3's 1/2/5 series. */
function tickIncrementPositive(start: number, stop: number, count: number): number {
  const inc = tickIncrement(start, stop, count);
  return inc > 0 ? inc : 1;
}

const r1 = (x: number): string => String(Math.round(x * 10) / 10);

/**
 * An envelope cut to at most `maxPoints` points: each bucket of samples becomes one point at its first time, with
 * the least lower and the greatest upper value in it (NaN when it holds none: a gap).
 */
export function envelopeBuckets(
  times: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  maxPoints = 1500,
): { times: number[]; lower: number[]; upper: number[] } {
  const n = times.length;
  const buckets = Math.min(n, Math.max(1, maxPoints));
  const out = { times: [] as number[], lower: [] as number[], upper: [] as number[] };
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      if (Number.isFinite(lower[i]!)) lo = Math.min(lo, lower[i]!);
      if (Number.isFinite(upper[i]!)) hi = Math.max(hi, upper[i]!);
    }
    out.times.push(times[start]!);
    out.lower.push(hi >= lo ? lo : NaN);
    out.upper.push(hi >= lo ? hi : NaN);
  }
  return out;
}

/** Closed outlines of an envelope's finite runs: along the upper values, back along the lower ones. */
function envelopePath(
  e: { times: number[]; lower: number[]; upper: number[] },
  xs: (t: number) => number,
  ys: (v: number) => number,
): string {
  let d = '';
  let run: number[] = [];
  const close = () => {
    if (run.length) {
      const upper = run.map((i) => `${r1(xs(e.times[i]!))},${r1(ys(e.upper[i]!))}`);
      const lower = run.map((i) => `${r1(xs(e.times[i]!))},${r1(ys(e.lower[i]!))}`).reverse();
      d += `M${upper.join('L')}L${lower.join('L')}Z`;
    }
    run = [];
  };
  for (let i = 0; i < e.times.length; i++) {
    if (Number.isFinite(e.times[i]!) && Number.isFinite(e.lower[i]!) && Number.isFinite(e.upper[i]!)) run.push(i);
    else close();
  }
  close();
  return d;
}

/** Width, px, that `text` takes at the chart font size, estimated. */
const textWidth = (text: string): number => text.length * CHAR_PX;

/**
 * A line chart over time as an `<svg>` string: axes with nice ticks (time in h:mm when a run spans ten minutes or
 * more), light grid lines, optional shaded bands, a legend, and `<title>`/`<desc>` for screen readers. All text is
 * escaped. Lines longer than `maxPoints` are reduced per bucket to min and max so peaks survive; an 86,400-sample
 * day stays around 30 kB per line.
 * @example
 * const svg = lineChart({
 *   title: 'Assigned memory', xLabel: 'Time', yLabel: 'MB', times: series.timeSeconds,
 *   lines: [
 *     { label: 'Assigned', values: series.total.assignedMB },
 *     { label: 'Demand', values: series.total.demandMB, dashed: true },
 *   ],
 * });
 */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 300;
  const maxPoints = options.maxPoints ?? 1500;
  const bands = options.band ?? [];
  const { times, lines } = options;
  for (const line of lines) {
    if (line.values.length !== times.length) {
      throw new RangeError(
        `lineChart: line "${line.label}" has ${line.values.length} values for ${times.length} times.`,
      );
    }
  }

  // Domains: x over the finite times; y over the finite values and the bands, from 0 unless values go below.
  let x0 = Infinity;
  let x1 = -Infinity;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (Number.isFinite(t)) {
      x0 = Math.min(x0, t);
      x1 = Math.max(x1, t);
    }
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const line of lines) {
    for (let i = 0; i < line.values.length; i++) {
      const v = line.values[i]!;
      if (Number.isFinite(v) && Number.isFinite(times[i]!)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  for (const e of options.envelopes ?? []) {
    if (e.lower.length !== times.length || e.upper.length !== times.length) {
      throw new RangeError(
        `lineChart: envelope "${e.label}" has ${e.lower.length} lower and ${e.upper.length} upper values for ${times.length} times.`,
      );
    }
  }
  // An envelope with no finite value (a series that lacks the range) gets no shading and no legend entry.
  const envelopes = (options.envelopes ?? []).filter((e) =>
    Array.from(e.upper).some((v, i) => Number.isFinite(v) && Number.isFinite(e.lower[i]!)),
  );
  for (const e of envelopes) {
    for (const values of [e.lower, e.upper]) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (Number.isFinite(v) && Number.isFinite(times[i]!)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
  }
  const hasData = hi >= lo;
  for (const b of bands) {
    for (const v of [b.from, b.to])
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
  }
  if (!(x1 >= x0)) {
    x0 = 0;
    x1 = 1;
  }
  if (x1 === x0) x1 = x0 + 1;
  if (!(hi >= lo)) {
    lo = 0;
    hi = 1;
  }
  if (options.yMax !== undefined && options.yMax > hi) hi = options.yMax;
  let yLo = options.yMin ?? Math.min(0, lo);
  if (hi <= yLo) hi = yLo + 1;
  // MB figures past five digits read better as GB: the axis counts GB (ticks round in GB), the lines stay in MB.
  const inGB = options.yLabel === 'MB' && hi >= 100_000;
  const unit = inGB ? 1024 : 1;
  const yLabel = inGB ? 'GB' : options.yLabel;
  const [niceLo, niceHi] = niceDomain(yLo / unit, hi / unit, 5);
  if (options.yMin === undefined) yLo = niceLo * unit;
  const yHi = niceHi * unit;
  const unitTicks = niceTicks(yLo / unit, niceHi, 5);
  const yTicks = unitTicks.map((v) => v * unit);
  const yDecimals = tickDecimals(unitTicks);
  const yTickLabels = unitTicks.map((v) => formatNumber(v, yDecimals));

  // Legend first: its row count decides how tall the plot can be.
  const marks = options.marks ?? [];
  const markKinds = [...new Set(marks.map((m) => m.kind))];
  // Filled in once the lines have their colours (below).
  let markColors = MARK_COLORS;
  const markStyle = (kind: string) => {
    const k = markKinds.indexOf(kind);
    return { color: markColors[k % markColors.length]!, dash: MARK_DASHES[k % MARK_DASHES.length]! };
  };
  const legendItems = [...lines.map((l) => l.label), ...envelopes.map((e) => e.label), ...markKinds].map((label) => ({
    label,
    w: 26 + textWidth(label) + 14,
  }));
  const left = 22 + Math.max(...yTickLabels.map(textWidth), 10) + 8;
  const right = 28; // room for half of the last time label ("24:00")
  const plotW = Math.max(40, width - left - right);
  const legendRows: { label: string; x: number; index: number }[][] = [[]];
  let cursor = 0;
  legendItems.forEach((item, index) => {
    if (cursor > 0 && cursor + item.w > plotW) {
      legendRows.push([]);
      cursor = 0;
    }
    legendRows[legendRows.length - 1]!.push({ label: item.label, x: cursor, index });
    cursor += item.w;
  });
  const legendH = legendItems.length ? legendRows.length * 18 : 0;
  const top = 30;
  const bottom = 20 + 20 + legendH + 6;
  const plotH = Math.max(40, height - top - bottom);
  const totalH = top + plotH + bottom;

  const xs = (t: number) => left + ((t - x0) / (x1 - x0)) * plotW;
  // Clamp rather than clip: a clipPath needs a document-unique id, which a string builder cannot promise.
  const ys = (v: number) => top + plotH - ((Math.min(Math.max(v, yLo), yHi) - yLo) / (yHi - yLo)) * plotH;

  const axis = timeAxis(x0, x1, Math.max(2, Math.floor(plotW / 80)), options.startTimeMs, options.wallClock);
  // Lines without a colour take palette entries in turn, skipping those other lines chose, so no two look alike.
  const taken = new Set(lines.map((l) => l.color?.toLowerCase()).filter(Boolean));
  const free = PALETTE.filter((c) => !taken.has(c.toLowerCase()));
  const pool = free.length ? free : PALETTE;
  let nextFree = 0;
  const colors = lines.map((l) => l.color ?? pool[nextFree++ % pool.length]!);
  const colorOf = (_line: ChartLine, i: number) => colors[i]!;
  const lineColors = new Set(colors.map((c) => c.toLowerCase()));
  const freeMarkColors = MARK_COLORS.filter((c) => !lineColors.has(c.toLowerCase()));
  if (freeMarkColors.length) markColors = freeMarkColors;
  const titleId = options.id ? `${options.id}-title` : undefined;
  const description =
    options.description ??
    // Semicolons: labels such as "Current, all hosts" hold commas themselves.
    `${lines.map((l) => l.label).join('; ')}. ${options.xLabel} ${axis.format(x0)} to ${axis.format(x1)} (${axis.unit}).`;

  const out: string[] = [];
  out.push(
    `<svg${options.standalone ? ' xmlns="http://www.w3.org/2000/svg"' : ''}${options.id ? ` id="${escapeXml(options.id)}"` : ''}` +
      ` class="chart" viewBox="0 0 ${width} ${totalH}" width="${width}" height="${totalH}" role="img"` +
      `${titleId ? ` aria-labelledby="${escapeXml(titleId)}"` : ''} font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="${FONT_PX}">`,
  );
  out.push(`<title${titleId ? ` id="${escapeXml(titleId)}"` : ''}>${escapeXml(options.title)}</title>`);
  out.push(`<desc>${escapeXml(description)}</desc>`);
  out.push(`<rect width="${width}" height="${totalH}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="18" font-size="14" font-weight="600" fill="#222">${escapeXml(options.title)}</text>`);

  const bandLabels: string[] = [];
  for (const b of bands) {
    const yA = ys(Math.max(b.from, b.to));
    const yB = ys(Math.min(b.from, b.to));
    const color = escapeXml(b.color ?? '#D55E00');
    out.push(
      `<rect x="${r1(left)}" y="${r1(yA)}" width="${r1(plotW)}" height="${r1(Math.max(0, yB - yA))}" fill="${color}" fill-opacity="0.12"/>`,
    );
    if (b.label)
      bandLabels.push(
        // Drawn over the lines, with a white halo, so that a line crossing it leaves it legible.
        `<text x="${r1(left + plotW - 4)}" y="${r1(yA + 13)}" text-anchor="end" fill="${color}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeXml(b.label)}</text>`,
      );
  }

  // Grid and tick labels.
  const grid: string[] = [];
  yTicks.forEach((v, i) => {
    const y = r1(ys(v));
    grid.push(`<line x1="${r1(left)}" y1="${y}" x2="${r1(left + plotW)}" y2="${y}"/>`);
    out.push(
      `<text x="${r1(left - 6)}" y="${y}" dy="0.32em" text-anchor="end" fill="#444">${escapeXml(yTickLabels[i]!)}</text>`,
    );
  });
  for (const t of axis.ticks) {
    const x = r1(xs(t));
    grid.push(`<line x1="${x}" y1="${r1(top)}" x2="${x}" y2="${r1(top + plotH)}"/>`);
    out.push(
      `<text x="${x}" y="${r1(top + plotH + 15)}" text-anchor="middle" fill="#444">${escapeXml(axis.format(t))}</text>`,
    );
  }
  out.push(`<g stroke="#e4e4e4" stroke-width="1">${grid.join('')}</g>`);
  out.push(`<path d="M${r1(left)},${r1(top)}V${r1(top + plotH)}H${r1(left + plotW)}" fill="none" stroke="#888"/>`);
  out.push(
    `<text x="${r1(left + plotW / 2)}" y="${r1(top + plotH + 34)}" text-anchor="middle" fill="#222">${escapeXml(`${options.xLabel} (${axis.unit})`)}</text>`,
  );
  out.push(
    `<text transform="translate(13 ${r1(top + plotH / 2)}) rotate(-90)" text-anchor="middle" fill="#222">${escapeXml(yLabel)}</text>`,
  );

  if (!hasData) {
    out.push(
      `<text x="${r1(left + plotW / 2)}" y="${r1(top + plotH / 2)}" text-anchor="middle" fill="#888">No data</text>`,
    );
  }

  for (const mark of marks) {
    if (!(mark.at >= x0 && mark.at <= x1)) continue;
    const { color, dash } = markStyle(mark.kind);
    const x = r1(xs(mark.at));
    out.push(
      `<line class="mark" data-kind="${escapeXml(mark.kind)}" x1="${x}" y1="${r1(top)}" x2="${x}" y2="${r1(top + plotH)}" stroke="${color}" stroke-width="1.4" stroke-dasharray="${dash}">` +
        `<title>${escapeXml(`${mark.label ?? mark.kind} at ${axis.format(mark.at)}`)}</title></line>`,
    );
  }

  const envelopeColors = envelopes.map((e, k) => e.color ?? colors[k % Math.max(1, colors.length)] ?? PALETTE[0]!);
  envelopes.forEach((e, k) => {
    const d = envelopePath(envelopeBuckets(times, e.lower, e.upper, maxPoints), xs, ys);
    if (!d) return;
    out.push(
      `<path class="envelope" d="${d}" fill="${escapeXml(envelopeColors[k]!)}" fill-opacity="0.18" stroke="none"><title>${escapeXml(e.label)}</title></path>`,
    );
  });

  lines.forEach((line, k) => {
    const reduced = downsample(times, line.values, maxPoints);
    let d = '';
    let open = false;
    let runLength = 0;
    for (let i = 0; i < reduced.times.length; i++) {
      const t = reduced.times[i]!;
      const v = reduced.values[i]!;
      if (!Number.isFinite(t) || !Number.isFinite(v)) {
        // A lone point between gaps would draw nothing: give it a zero-length segment, shown by the round cap.
        if (open && runLength === 1) d += 'h0';
        open = false;
        continue;
      }
      d += `${open ? 'L' : 'M'}${r1(xs(t))},${r1(ys(v))}`;
      runLength = open ? runLength + 1 : 1;
      open = true;
    }
    if (open && runLength === 1) d += 'h0';
    if (!d) return;
    out.push(
      `<path class="series" d="${d}" fill="none" stroke="${escapeXml(colorOf(line, k))}" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round"` +
        `${line.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeXml(line.label)}</title></path>`,
    );
  });

  out.push(...bandLabels);

  if (legendItems.length) {
    const legendTop = top + plotH + 44;
    legendRows.forEach((row, r) => {
      const y = legendTop + r * 18;
      for (const item of row) {
        const x = left + item.x;
        const line = lines[item.index];
        const envelopeIndex = item.index - lines.length;
        if (envelopeIndex >= 0 && envelopeIndex < envelopes.length) {
          out.push(
            `<rect x="${r1(x)}" y="${r1(y - 6)}" width="20" height="12" fill="${escapeXml(envelopeColors[envelopeIndex]!)}" fill-opacity="0.3"/>`,
          );
          out.push(`<text x="${r1(x + 26)}" y="${r1(y)}" dy="0.32em" fill="#222">${escapeXml(item.label)}</text>`);
          continue;
        }
        if (!line) {
          const { color, dash } = markStyle(item.label);
          out.push(
            `<line x1="${r1(x + 10)}" y1="${r1(y - 7)}" x2="${r1(x + 10)}" y2="${r1(y + 7)}" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"/>`,
          );
          out.push(`<text x="${r1(x + 26)}" y="${r1(y)}" dy="0.32em" fill="#222">${escapeXml(item.label)}</text>`);
          continue;
        }
        out.push(
          `<line x1="${r1(x)}" y1="${r1(y)}" x2="${r1(x + 20)}" y2="${r1(y)}" stroke="${escapeXml(colorOf(line, item.index))}" stroke-width="2.5"` +
            `${line.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
        );
        out.push(`<text x="${r1(x + 26)}" y="${r1(y)}" dy="0.32em" fill="#222">${escapeXml(item.label)}</text>`);
      }
    });
  }
  out.push('</svg>');
  return out.join('\n');
}
