import { describe, expect, it } from 'vitest';
import { downsample, escapeXml, formatClock, formatNumber, lineChart } from '../src/report/svg.ts';

const pointsIn = (d: string) => (d.match(/[ML]/g) ?? []).length;
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
