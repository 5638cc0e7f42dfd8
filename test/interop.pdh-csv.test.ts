import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HYPERV_BALANCER_INSTANCE,
  hostCountersFromPdh,
  InteropError,
  parseCounterPath,
  parsePdhCsv,
  vmCountersFromPdh,
} from '../src/interop/index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/interop/${name}`, import.meta.url), 'utf8');

function interopError(fn: () => unknown): InteropError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InteropError) return e;
    throw e;
  }
  throw new Error('expected an InteropError');
}

const HEAD = '"(PDH-CSV 4.0) (Coordinated Universal Time)(0)","\\\\H\\Hyper-V Dynamic Memory VM(a)\\Physical Memory"';

describe('parsePdhCsv on the typeperf fixture', () => {
  const table = parsePdhCsv(fixture('counters.csv'), 'counters.csv');

  it('reads the header: time zone, bias, counter paths', () => {
    expect(table.timeZone).toBe('Pacific Standard Time');
    expect(table.biasMinutes).toBe(480);
    expect(table.columns).toHaveLength(17);
    expect(table.columns[0]).toMatchObject({
      path: '\\\\HV01\\Hyper-V Dynamic Memory VM(web-01)\\Physical Memory',
      machine: 'HV01',
      object: 'Hyper-V Dynamic Memory VM',
      instance: 'web-01',
      counter: 'Physical Memory',
    });
    expect(table.columns[16]).toMatchObject({ object: 'Memory', instance: null, counter: 'Available MBytes' });
  });

  it('reads times as written (local time, treated as UTC), 15 s apart', () => {
    expect(table.times).toHaveLength(12);
    expect(table.times[0]).toBe(Date.UTC(2025, 2, 14, 10, 0, 0, 123));
    expect(table.times[11]! - table.times[0]!).toBe(11 * 15_000);
  });

  it('reads values, with a blank cell as NaN', () => {
    expect(Array.from(table.columns[0]!.values)).toEqual([
      1536, 1536, 1536, 1600, 1700, 1800, 1800, 1800, 1760, 1700, 1650, 1600,
    ]);
    const app = table.columns.find((c) => c.instance === 'app-02' && c.counter === 'Physical Memory')!;
    expect(app.values[5]).toBe(3800);
    expect(app.values[6]).toBeNaN();
    expect(app.values[7]).toBe(3800);
  });
});

describe('vmCountersFromPdh and hostCountersFromPdh', () => {
  const table = parsePdhCsv(fixture('counters.csv'), 'counters.csv');
  const vms = vmCountersFromPdh(table);

  it('groups the VM object by instance and ignores other objects', () => {
    expect([...vms.keys()]).toEqual(['web-01', 'vdi-07', 'app-02']);
    const web = vms.get('web-01')!;
    expect(web.machine).toBe('HV01');
    expect(web.physicalMB[4]).toBe(1700);
    expect(web.pressure[4]).toBe(86);
    expect(web.averagePressure[4]).toBe(84);
    expect(web.guestVisibleMB[0]).toBe(2048);
    expect(vms.get('vdi-07')!.smartPagingMB[0]).toBe(0);
  });

  it('derives demand as pressure × physical / 100 without a demand column', () => {
    const web = vms.get('web-01')!;
    expect(web.demandDerived).toBe(true);
    expect(web.demandMB[0]).toBeCloseTo((1536 * 80) / 100, 9); // 1228.8
    expect(web.demandMB[3]).toBeCloseTo((1600 * 88) / 100, 9); // 1408
    // A blank Physical Memory cell gives no demand for that sample.
    expect(vms.get('app-02')!.demandMB[6]).toBeNaN();
  });

  it('gives NaN series for counters the file lacks', () => {
    const web = vms.get('web-01')!;
    expect(web.addedMB).toHaveLength(12);
    expect(Number.isNaN(web.addedMB[0])).toBe(true);
    expect(Number.isNaN(web.smartPagingMB[0])).toBe(true);
  });

  it('uses a Memory Demand column where there is one', () => {
    const csv =
      `${HEAD},"\\\\H\\Hyper-V Dynamic Memory VM(a)\\Current Pressure","\\\\H\\Hyper-V Dynamic Memory VM(a)\\Memory Demand"\r\n` +
      '"01/02/2025 03:04:05.006","1000","90","777"\r\n';
    const a = vmCountersFromPdh(parsePdhCsv(csv)).get('a')!;
    expect(a.demandDerived).toBe(false);
    expect(a.demandMB[0]).toBe(777);
  });

  it('reads the balancer as host series', () => {
    const hosts = hostCountersFromPdh(table);
    expect([...hosts.keys()]).toEqual([HYPERV_BALANCER_INSTANCE]);
    const host = hosts.get('System Balancer')!;
    expect(host.availableMB[0]).toBe(20480);
    expect(host.averagePressure[11]).toBe(80);
    expect(host.systemCurrentPressure[11]).toBe(82);
    expect(Number.isNaN(host.addedMB[0])).toBe(true);
  });
});

describe('cells and layout', () => {
  it('accepts unquoted cells, empty cells, LF line ends, a BOM and blank lines', () => {
    const csv =
      '\ufeff\n(PDH-CSV 4.0) (UTC)(0),\\\\H\\Hyper-V Dynamic Memory VM(a)\\Physical Memory\n' +
      '1/2/2025 3:04:05,2048\n\n01/02/2025 03:04:06.5,\n';
    const t = parsePdhCsv(csv);
    expect(t.times).toEqual([Date.UTC(2025, 0, 2, 3, 4, 5), Date.UTC(2025, 0, 2, 3, 4, 6, 500)]);
    expect(t.columns[0]!.values[0]).toBe(2048);
    expect(t.columns[0]!.values[1]).toBeNaN();
  });

  it('keeps instance names with parentheses, commas and quotes', () => {
    expect(parseCounterPath('\\\\HV01\\Hyper-V Dynamic Memory VM(web (old), "x")\\Physical Memory')).toEqual({
      machine: 'HV01',
      object: 'Hyper-V Dynamic Memory VM',
      instance: 'web (old), "x"',
      counter: 'Physical Memory',
    });
    const csv =
      '"(PDH-CSV 4.0) (UTC)(0)","\\\\H\\Hyper-V Dynamic Memory VM(a, ""b"")\\Physical Memory"\r\n"01/01/2025 00:00:00.000","4"\r\n';
    expect(parsePdhCsv(csv).columns[0]!.instance).toBe('a, "b"');
  });

  it('reads a time zone name with parentheses and a negative bias', () => {
    const t = parsePdhCsv('"(PDH-CSV 4.0) (Paris, Madrid (heure d\'été))(-120)"\r\n');
    expect(t.timeZone).toBe("Paris, Madrid (heure d'été)");
    expect(t.biasMinutes).toBe(-120);
    expect(t.times).toEqual([]);
  });
});

describe('errors with file, line and column', () => {
  it('missing header', () => {
    const e = interopError(() => parsePdhCsv(fixture('counters-missing-header.csv'), 'counters-missing-header.csv'));
    expect([e.file, e.line, e.column]).toEqual(['counters-missing-header.csv', 1, 1]);
    expect(e.message).toContain('counters-missing-header.csv, line 1, column 1');
    expect(e.message).toContain('PDH-CSV header');
  });

  it('wrong header', () => {
    const e = interopError(() =>
      parsePdhCsv('"(PDH-CSV 3.0) (UTC)(0)","\\\\H\\Memory\\Available MBytes"\r\n', 'old.csv'),
    );
    expect([e.line, e.column]).toEqual([1, 1]);
  });

  it('empty file', () => {
    expect(interopError(() => parsePdhCsv('\r\n', 'empty.csv')).message).toContain('empty.csv, line 1, column 1');
  });

  it('ragged row', () => {
    const e = interopError(() => parsePdhCsv(fixture('counters-ragged.csv'), 'counters-ragged.csv'));
    expect([e.file, e.line, e.column]).toEqual(['counters-ragged.csv', 3, 3]);
    expect(e.message).toContain('ragged row');
    // Too many cells: the first extra one.
    const extra = interopError(() => parsePdhCsv(`${HEAD}\r\n"01/01/2025 00:00:00.000","1","2"\r\n`, 'x.csv'));
    expect([extra.line, extra.column]).toEqual([2, 3]);
  });

  it('unknown counter of a Hyper-V Dynamic Memory object', () => {
    const e = interopError(() => parsePdhCsv(fixture('counters-unknown-counter.csv'), 'counters-unknown-counter.csv'));
    expect([e.file, e.line, e.column]).toEqual(['counters-unknown-counter.csv', 1, 3]);
    expect(e.message).toContain("unknown counter 'Memory Pressure'");
    const balancer = interopError(() =>
      parsePdhCsv(
        '"(PDH-CSV 4.0) (UTC)(0)","\\\\H\\Hyper-V Dynamic Memory Balancer(System Balancer)\\Free Memory"\r\n',
      ),
    );
    expect([balancer.line, balancer.column]).toEqual([1, 2]);
  });

  it('bad timestamps', () => {
    for (const stamp of [
      '2025-01-01 00:00:00',
      '02/30/2025 00:00:00.000',
      '01/01/2025 24:00:00.000',
      '13/01/2025 00:00:00',
    ]) {
      const e = interopError(() =>
        parsePdhCsv(`${HEAD}\r\n"01/01/2025 00:00:00.000","1"\r\n"${stamp}","2"\r\n`, 't.csv'),
      );
      expect([e.file, e.line, e.column]).toEqual(['t.csv', 3, 1]);
      expect(e.message).toContain('bad timestamp');
    }
  });

  it('a cell that is not a number, an unclosed quote, a path that is not a counter path', () => {
    const nan = interopError(() => parsePdhCsv(`${HEAD}\r\n"01/01/2025 00:00:00.000","12 MB"\r\n`));
    expect([nan.line, nan.column]).toEqual([2, 2]);
    const quote = interopError(() => parsePdhCsv(`${HEAD}\r\n"01/01/2025 00:00:00.000","12\r\n`));
    expect([quote.line, quote.column]).toEqual([2, 2]);
    const path = interopError(() => parsePdhCsv('"(PDH-CSV 4.0) (UTC)(0)","Physical Memory"\r\n'));
    expect([path.line, path.column]).toEqual([1, 2]);
  });

  it('the same VM on two machines', () => {
    const csv =
      '"(PDH-CSV 4.0) (UTC)(0)","\\\\A\\Hyper-V Dynamic Memory VM(v)\\Physical Memory",' +
      '"\\\\B\\Hyper-V Dynamic Memory VM(v)\\Current Pressure"\r\n';
    const e = interopError(() => vmCountersFromPdh(parsePdhCsv(csv, 'two.csv')));
    expect([e.file, e.line, e.column]).toEqual(['two.csv', 1, 3]);
  });
});
