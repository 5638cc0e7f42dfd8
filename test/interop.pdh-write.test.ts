import { describe, expect, it } from 'vitest';
import { DynamicMemoryError } from '../src/errors.ts';
import {
  DYNMEM_DEMAND_COUNTER,
  formatPdhTimestamp,
  HYPERV_BALANCER_COUNTERS,
  HYPERV_BALANCER_INSTANCE,
  HYPERV_BALANCER_OBJECT,
  HYPERV_VM_COUNTERS,
  HYPERV_VM_OBJECT,
  parsePdhCsv,
  vmCountersFromPdh,
  writePdhCsv,
} from '../src/interop/index.ts';

const start = Date.UTC(2025, 2, 14, 10, 0, 0, 123);

describe('writePdhCsv', () => {
  it('writes typeperf layout: quoted cells, CRLF, counter paths, blank cell for NaN', () => {
    const csv = writePdhCsv({
      machine: 'HV01',
      startTime: start,
      intervalSeconds: 15,
      timeZone: 'Pacific Standard Time',
      biasMinutes: 480,
      series: [
        {
          object: HYPERV_VM_OBJECT,
          instance: 'web-01',
          counter: HYPERV_VM_COUNTERS.physicalMemory,
          values: [1536, NaN],
        },
        { object: 'Memory', instance: null, counter: 'Available MBytes', values: [22528, 22000.5] },
      ],
    });
    expect(csv).toBe(
      '"(PDH-CSV 4.0) (Pacific Standard Time)(480)","\\\\HV01\\Hyper-V Dynamic Memory VM(web-01)\\Physical Memory",' +
        '"\\\\HV01\\Memory\\Available MBytes"\r\n' +
        '"03/14/2025 10:00:00.123","1536","22528"\r\n' +
        '"03/14/2025 10:00:15.123"," ","22000.5"\r\n',
    );
  });

  it('round-trips through parsePdhCsv with the same numbers', () => {
    const values = [
      0,
      1,
      -2.5,
      1 / 3,
      Math.PI * 1e6,
      1e-7,
      // biome-ignore lint/correctness/noPrecisionLoss: a value beyond f64 precision is the point of the case
      123456789.123456789,
      Number.MAX_SAFE_INTEGER,
      NaN,
      2 ** -30,
    ];
    const n = values.length;
    const series = [
      { object: HYPERV_VM_OBJECT, instance: 'vm "quoted", (1)', counter: HYPERV_VM_COUNTERS.physicalMemory, values },
      {
        object: HYPERV_VM_OBJECT,
        instance: 'vm "quoted", (1)',
        counter: HYPERV_VM_COUNTERS.currentPressure,
        values: Float64Array.from(values, (v, i) => v + i),
      },
      {
        object: HYPERV_VM_OBJECT,
        instance: 'vm "quoted", (1)',
        counter: DYNMEM_DEMAND_COUNTER,
        values: new Array(n).fill(512),
      },
      {
        object: HYPERV_BALANCER_OBJECT,
        instance: HYPERV_BALANCER_INSTANCE,
        counter: HYPERV_BALANCER_COUNTERS.availableMemory,
        values: new Array(n).fill(4096),
      },
    ];
    const table = parsePdhCsv(
      writePdhCsv({ machine: 'SIM', startTime: start, intervalSeconds: 0.1, series }),
      'sim.csv',
    );
    expect(table.timeZone).toBe('Coordinated Universal Time');
    expect(table.biasMinutes).toBe(0);
    expect(table.times).toEqual(values.map((_, i) => start + i * 100));
    expect(table.columns.map((c) => [c.machine, c.object, c.instance, c.counter])).toEqual(
      series.map((s) => ['SIM', s.object, s.instance, s.counter]),
    );
    table.columns.forEach((c, j) => expect(Array.from(c.values)).toEqual(Array.from(series[j]!.values)));
    const vm = vmCountersFromPdh(table).get('vm "quoted", (1)')!;
    expect(vm.demandDerived).toBe(false);
    expect(vm.demandMB[0]).toBe(512);
  });

  it('formats timestamps with zero padding', () => {
    expect(formatPdhTimestamp(Date.UTC(2025, 0, 2, 3, 4, 5, 6))).toBe('01/02/2025 03:04:05.006');
  });

  it('refuses bad input with DynamicMemoryError InvalidArgument', () => {
    const base = { machine: 'H', startTime: start, intervalSeconds: 1 };
    const cases = [
      { ...base, series: [{ object: HYPERV_VM_OBJECT, instance: 'a', counter: 'Nonsense', values: [1] }] },
      {
        ...base,
        series: [
          { object: HYPERV_VM_OBJECT, instance: 'a', counter: 'Physical Memory', values: [1, 2] },
          { object: HYPERV_VM_OBJECT, instance: 'a', counter: 'Current Pressure', values: [1] },
        ],
      },
      { ...base, series: [{ object: 'Memory', instance: null, counter: 'Available MBytes', values: [Infinity] }] },
      { ...base, intervalSeconds: 0, series: [] },
      { ...base, machine: 'a\\b', series: [] },
    ];
    for (const input of cases) {
      let error: unknown;
      try {
        writePdhCsv(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DynamicMemoryError);
      expect((error as DynamicMemoryError).code).toBe('InvalidArgument');
    }
  });
});
