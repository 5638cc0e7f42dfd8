import { describe, expect, it } from 'vitest';
import {
  downsample,
  envelopeBuckets,
  escapeXml,
  formatClock,
  formatNumber,
  lineChart,
  niceDomain,
  niceTicks,
  tickDecimals,
} from '../src/report/svg.ts';

const pointsIn = (d: string) => (d.match(/[ML]/g) ?? []).length;
const tickLabels = (svg: string, anchor: string) =>
  [...svg.matchAll(new RegExp(`text-anchor="${anchor}" fill="#444">([^<]*)<`, 'g'))].map((m) => m[1]);
const pathsOf = (svg: string) => [...svg.matchAll(/<path class="series" d="([^"]*)"/g)].map((m) => m[1]!);

describe('lineChart', () => {
  it('escapes the title, axis labels, legend and description', () => {
    const svg = lineChart({
      title: 'A <b>&"x"',
      xLabel: 'T & t',
      yLabel: '<MB>',
      times: [0, 1, 2],
      lines: [{ label: 'vm <b>&"x"', values: [1, 2, 3] }],
      band: [{ from: 2, to: 3, label: '"hot" <zone>' }],
    });
    expect(svg).not.toContain('<b>');
    expect(svg).not.toContain('<MB>');
    expect(svg).not.toContain('<zone>');
    expect(svg).toContain('<title>A &lt;b&gt;&amp;&quot;x&quot;</title>');
    expect(svg).toContain('vm &lt;b&gt;&amp;&quot;x&quot;');
    expect(svg).toContain('&lt;MB&gt;');
    expect(svg).toContain('T &amp; t (s)');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('adds the SVG namespace only for standalone files (inline SVG in HTML needs none)', () => {
    const opts = { title: 't', xLabel: 'x', yLabel: 'y', times: [0, 1], lines: [{ label: 'a', values: [0, 1] }] };
    expect(lineChart(opts)).not.toContain('http');
    expect(lineChart({ ...opts, standalone: true })).toContain('xmlns="http://www.w3.org/2000/svg"');
  });

  it('reduces an 86,400-sample day to at most 1,500 points per line and keeps the spikes', () => {
    const n = 86_400;
    const times = Array.from({ length: n }, (_, i) => i);
    const values = Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 500));
    values[43_210] = 900; // a one-second spike
    values[70_001] = -50; // and a one-second dip
    const svg = lineChart({
      title: 'day',
      xLabel: 'Time',
      yLabel: 'MB',
      times,
      lines: [{ label: 'a', values }],
      id: 'c',
    });
    const [d] = pathsOf(svg);
    expect(pointsIn(d!)).toBeLessThanOrEqual(1500);
    expect(pointsIn(d!)).toBeGreaterThan(700);
    expect(svg.length).toBeLessThan(60_000);
    // The spike and the dip survive the reduction, and the y axis (steps of 200) stretches to hold them.
    const reduced = downsample(times, values, 1500);
    expect(reduced.values).toContain(900);
    expect(reduced.values).toContain(-50);
    expect(svg).toContain('>1,000<');
    expect(svg).toContain('>-200<');
    // A day reads in hours:minutes.
    expect(svg).toContain('Time (h:mm)');
    expect(svg).toContain('>12:00<');
    expect(svg).toContain('id="c"');
  });

  it('leaves gaps for NaN and marks an empty chart', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      times: [0, 1, 2, 3, 4],
      lines: [{ label: 'a', values: [1, 2, NaN, 3, 4] }],
    });
    const [d] = pathsOf(svg);
    expect(d!.match(/M/g)).toHaveLength(2);
    const empty = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', times: [], lines: [{ label: 'a', values: [] }] });
    expect(empty).toContain('No data');
  });

  it('refuses a line whose length differs from the times', () => {
    expect(() =>
      lineChart({ title: 't', xLabel: 'x', yLabel: 'y', times: [0, 1], lines: [{ label: 'a', values: [1] }] }),
    ).toThrow(RangeError);
  });
});

describe('downsample', () => {
  it('returns short lines unchanged', () => {
    expect(downsample([0, 1, 2], [5, 6, 7], 10)).toEqual({ times: [0, 1, 2], values: [5, 6, 7] });
  });

  it('keeps min and max of each bucket in time order', () => {
    const times = [0, 1, 2, 3, 4, 5, 6, 7];
    const values = [5, 9, 1, 5, 5, 0, 7, 5];
    // 4 points → 2 buckets of 4 samples: [5,9,1,5] → 9 (t=1), 1 (t=2); [5,0,7,5] → 0 (t=5), 7 (t=6).
    expect(downsample(times, values, 4)).toEqual({ times: [1, 2, 5, 6], values: [9, 1, 0, 7] });
  });

  it('turns an all-NaN bucket into one gap', () => {
    const r = downsample([0, 1, 2, 3, 4, 5], [NaN, NaN, NaN, NaN, 1, 2], 4);
    expect(r.values.filter(Number.isNaN)).toHaveLength(1);
    expect(r.values.slice(-2)).toEqual([1, 2]);
  });
});

describe('formatting', () => {
  it('escapes XML special characters', () => {
    expect(escapeXml(`<b>&"x"'`)).toBe('&lt;b&gt;&amp;&quot;x&quot;&#39;');
  });

  it('groups thousands without depending on the locale', () => {
    expect(formatNumber(262144)).toBe('262,144');
    expect(formatNumber(-1234.5, 1)).toBe('-1,234.5');
    expect(formatNumber(-0.01, 1)).toBe('0.0');
    expect(formatNumber(NaN)).toBe('—');
  });

  it('prints simulated time as h:mm, hours past 24', () => {
    expect(formatClock(5400)).toBe('1:30');
    expect(formatClock(93_600)).toBe('26:00');
    expect(formatClock(5405, true)).toBe('1:30:05');
  });
});

describe('colours', () => {
  it('gives lines without a colour palette entries that no other line uses', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      times: [0, 1],
      lines: [
        { label: 'a', values: [0, 1], color: '#0072B2' },
        { label: 'b', values: [1, 0] },
        { label: 'c', values: [1, 1], color: '#d55e00' },
      ],
    });
    const strokes = [...svg.matchAll(/<path class="series" d="[^"]*" fill="none" stroke="([^"]+)"/g)].map((m) =>
      m[1]!.toLowerCase(),
    );
    expect(strokes).toHaveLength(3);
    expect(new Set(strokes).size).toBe(3);
  });
});

describe('axis ticks (d3-array rules: 1, 2 or 5 × 10^k, each tick (start + i) × step)', () => {
  it.each([
    [0, 1, 5, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0, 10, 5, [0, 2, 4, 6, 8, 10]],
    [-0.3, 0.7, 5, [-0.2, 0, 0.2, 0.4, 0.6]],
    // Steps below 1 are divided, not multiplied: 0.1 × 3 would print 0.30000000000000004.
    [0.1, 0.35, 5, [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]],
    [0, 0.3, 3, [0, 0.1, 0.2, 0.3]],
    // Large and offset ranges: no drift after many steps.
    [1e9, 1e9 + 100, 5, [1e9, 1e9 + 20, 1e9 + 40, 1e9 + 60, 1e9 + 80, 1e9 + 100]],
    // 6,912 / 5 = 1,382: 1.38 < √2, so a step of 1,000.
    [-1234, 5678, 5, [-1000, 0, 1000, 2000, 3000, 4000, 5000]],
    [98304, 98304, 5, [98304]],
    [7, 3, 2, [6, 4]],
  ])('niceTicks(%d, %d, %d)', (start, stop, count, expected) => {
    expect(niceTicks(start, stop, count)).toEqual(expected);
  });

  it('niceDomain widens to round ends as scale.nice does', () => {
    expect(niceDomain(0.13, 9.7, 5)).toEqual([0, 10]);
    expect(niceDomain(0, 93_217, 5)).toEqual([0, 100_000]);
    expect(niceDomain(-0.27, 0.81, 5)).toEqual([-0.4, 1]);
  });

  it('prints ticks with the decimals their step needs', () => {
    expect(tickDecimals([0, 0.2, 0.4])).toBe(1);
    expect(tickDecimals([0.1, 0.15])).toBe(2);
    expect(tickDecimals([0, 2000])).toBe(0);
  });

  it('labels a 30-day run in days, a day in h:mm, and dates when time 0 is known', () => {
    const days = (n: number) => Array.from({ length: n * 24 + 1 }, (_, i) => i * 3600);
    const month = lineChart({ title: 't', xLabel: 'Time', yLabel: 'MB', times: days(30), lines: [] });
    expect(tickLabels(month, 'middle')).toEqual(['0', '5', '10', '15', '20', '25', '30']);
    expect(month).toContain('Time (days)');
    const day = lineChart({ title: 't', xLabel: 'Time', yLabel: 'MB', times: days(1), lines: [] });
    expect(tickLabels(day, 'middle')).toEqual([
      '0:00',
      '3:00',
      '6:00',
      '9:00',
      '12:00',
      '15:00',
      '18:00',
      '21:00',
      '24:00',
    ]);
    const dated = lineChart({
      title: 't',
      xLabel: 'Time',
      yLabel: 'MB',
      times: days(30),
      lines: [],
      startTimeMs: Date.UTC(2026, 10, 26),
    });
    expect(tickLabels(dated, 'middle')).toEqual(['Nov 26', 'Dec 1', 'Dec 6', 'Dec 11', 'Dec 16', 'Dec 21', 'Dec 26']);
  });

  it('counts GB on the y axis when MB figures pass five digits', () => {
    const times = [0, 60, 120];
    const big = lineChart({
      title: 't',
      xLabel: 'Time',
      yLabel: 'MB',
      times,
      lines: [{ label: 'a', values: [0, 250_000, 500_000] }],
    });
    expect(tickLabels(big, 'end')).toEqual(['0', '100', '200', '300', '400', '500']);
    expect(big).toContain('rotate(-90)" text-anchor="middle" fill="#222">GB<');
    const small = lineChart({
      title: 't',
      xLabel: 'Time',
      yLabel: 'MB',
      times,
      lines: [{ label: 'a', values: [0, 5_000, 99_000] }],
    });
    expect(tickLabels(small, 'end')).toEqual(['0', '20,000', '40,000', '60,000', '80,000', '100,000']);
  });

  it('draws event marks as vertical lines with one legend entry per kind', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'Time',
      yLabel: 'MB',
      times: [0, 3600, 7200],
      lines: [{ label: 'Assigned', values: [1, 2, 3] }],
      marks: [
        { at: 3600, kind: 'Host failure', label: 'hv-02 failed' },
        { at: 5400, kind: 'Restart' },
        { at: 6000, kind: 'Restart' },
        { at: 99_999, kind: 'Restart' },
      ],
    });
    expect(svg.match(/class="mark"/g)).toHaveLength(3);
    expect(svg).toContain('<title>hv-02 failed at 1:00</title>');
    expect(svg.match(/>Restart</g)).toHaveLength(1);
    expect(svg.match(/>Host failure</g)).toHaveLength(1);
  });

  it('gives marks colours no line of the chart uses', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'Time',
      yLabel: 'MB',
      times: [0, 3600, 7200],
      lines: [{ label: 'Available', values: [3, 2, 1], color: '#009E73' }],
      marks: [
        { at: 3600, kind: 'Host failure' },
        { at: 5400, kind: 'Host recovery' },
      ],
    });
    const colorOf = (kind: string) => new RegExp(`data-kind="${kind}"[^>]*stroke="([^"]*)"`).exec(svg)![1];
    // The first preference, orange, is free; the second, green, is the line's: the recovery takes the third.
    expect(colorOf('Host failure')).toBe('#D55E00');
    expect(colorOf('Host recovery')).toBe('#CC79A7');
  });

  it('reads times on a wall clock when given one: time of day, the date at midnight', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'Recording time',
      yLabel: 'MB',
      times: [0, 3 * 3600, 6 * 3600],
      lines: [{ label: 'a', values: [1, 2, 3] }],
      // 22:30 UTC is 23:30 on a clock one hour ahead.
      startTimeMs: Date.UTC(2025, 3, 2, 22, 30),
      wallClock: { name: 'W. Europe Standard Time', utcOffsetMinutes: 60 },
      width: 500,
    });
    expect(tickLabels(svg, 'middle')).toEqual(['Apr 3', '02:00', '04:00']);
    expect(svg).toContain('Recording time (W. Europe Standard Time, Apr 2, 2025)');
  });
});

describe('envelopes', () => {
  it('keeps the least lower and the greatest upper value of each bucket, NaN for an empty one', () => {
    const times = [0, 1, 2, 3, 4, 5];
    const lower = [5, 3, NaN, NaN, 7, 6];
    const upper = [9, 8, NaN, NaN, 12, 7];
    expect(envelopeBuckets(times, lower, upper, 10)).toEqual({ times, lower, upper });
    expect(envelopeBuckets(times, lower, upper, 3)).toEqual({
      times: [0, 2, 4],
      lower: [3, NaN, 6],
      upper: [9, NaN, 12],
    });
  });

  it('draws each finite run as a shaded outline behind the lines, with a legend swatch', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'Time',
      yLabel: 'Pressure (%)',
      times: [0, 60, 120, 180],
      lines: [{ label: 'Current', values: [50, 60, 70, 80] }],
      envelopes: [{ label: 'Least to most in each interval', lower: [40, NaN, 60, 70], upper: [55, NaN, 90, 95] }],
    });
    const d = svg.match(/<path class="envelope" d="([^"]*)"/)![1]!;
    // Two runs (a gap at 60 s): the first a single sample, the second two; each closed.
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/Z/g)).toHaveLength(2);
    expect(svg.indexOf('class="envelope"')).toBeLessThan(svg.indexOf('class="series"'));
    expect(svg).toContain('fill-opacity="0.3"/>');
    expect(svg).toContain('>Least to most in each interval<');
    // The y axis reaches the envelope's top (95), not only the line's (80).
    expect(tickLabels(svg, 'end').at(-1)).toBe('100');
    expect(() =>
      lineChart({
        title: 't',
        xLabel: 'Time',
        yLabel: 'MB',
        times: [0, 60],
        lines: [],
        envelopes: [{ label: 'e', lower: [1], upper: [2, 3] }],
      }),
    ).toThrow(/envelope "e" has 1 lower and 2 upper values for 2 times/);
  });
});
