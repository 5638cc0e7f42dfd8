import { describe, expect, it } from 'vitest';
import { csvNumber, csvText, timeSeriesCsv, vmSeriesCsv } from '../src/report/csv.ts';
import type { SimulationSeries } from '../src/sim/series.ts';

// Two samples, two hosts (one with a name that needs quoting), one VM with a quote and a comma in its name.
function tinySeries(): SimulationSeries {
  return {
    timeSeconds: [0, 300],
    hosts: [
      {
        name: 'h1',
        assignedMB: [1024, 2048],
        demandMB: [900, 2100.5],
        availableMB: [7168, 6144],
        pressure: [87.890625, 102.5634765],
        averagePressure: [80, 81.25],
        smartPagingMB: [0, 0],
        runningVms: [1, 1],
        assignedMaxMB: [1024, 2560],
        assignedMinMB: [1024, 1024],
        pressureMax: [87.890625, 130],
        pressureMin: [87.890625, 70.25],
        shortVms: [0, 1],
      },
      {
        name: 'rack 2, "b"',
        assignedMB: [512, 512],
        demandMB: [100, 100],
        availableMB: [7680, 7680],
        pressure: [19.53125, 19.53125],
        averagePressure: [20, 20],
        smartPagingMB: [0, 64],
        runningVms: [1, 1],
        assignedMaxMB: [512, 512],
        assignedMinMB: [512, 448],
        pressureMax: [19.53125, 19.53125],
        pressureMin: [19.53125, 19.53125],
        shortVms: [0, 0],
      },
    ],
    total: {
      assignedMB: [1536, 2560],
      demandMB: [1000, 2200.5],
      availableMB: [14848, 13824],
      pressure: [65.1041667, 83.5],
      averagePressure: [60, 60.9],
      smartPagingMB: [0, 64],
      runningVms: [2, 2],
      assignedMaxMB: [1536, 3072],
      assignedMinMB: [1536, 1472],
      pressureMax: [87.890625, 130],
      pressureMin: [19.53125, 19.53125],
      shortVms: [0, 1],
    },
    vms: [
      {
        name: 'db,"1"',
        assignedMB: [1024, 2048],
        demandMB: [900, 2100.5],
        pressure: [87.890625, NaN],
        smartPagingMB: [0, 0],
      },
    ],
  };
}

describe('timeSeriesCsv', () => {
  it('writes the header, one row per host per sample and a "*" total row, with CRLF', () => {
    const csv = timeSeriesCsv(tinySeries());
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.split('\r\n').slice(0, -1);
    expect(lines).toEqual([
      'time_s,host,assigned_mb,demand_mb,available_mb,pressure,average_pressure,smart_paging_mb,running_vms,' +
        'assigned_max_mb,assigned_min_mb,pressure_max,pressure_min,short_vms',
      '0,h1,1024,900,7168,87.891,80,0,1,1024,1024,87.891,87.891,0',
      '0,"rack 2, ""b""",512,100,7680,19.531,20,0,1,512,512,19.531,19.531,0',
      '0,*,1536,1000,14848,65.104,60,0,2,1536,1536,87.891,19.531,0',
      '300,h1,2048,2100.5,6144,102.563,81.25,0,1,2560,1024,130,70.25,1',
      '300,"rack 2, ""b""",512,100,7680,19.531,20,64,1,512,448,19.531,19.531,0',
      '300,*,2560,2200.5,13824,83.5,60.9,64,2,3072,1472,130,19.531,1',
    ]);
  });

  it('writes only the header for a run without samples', () => {
    const s = tinySeries();
    s.timeSeconds = [];
    expect(timeSeriesCsv(s).split('\r\n')).toHaveLength(2);
  });
});

describe('vmSeriesCsv', () => {
  it('writes one row per VM per sample, quoting names and leaving NaN empty', () => {
    expect(vmSeriesCsv(tinySeries())).toBe(
      'time_s,vm,assigned_mb,demand_mb,pressure,smart_paging_mb\r\n' +
        '0,"db,""1""",1024,900,87.891,0\r\n' +
        '300,"db,""1""",2048,2100.5,,0\r\n',
    );
  });

  it('is empty when the run kept no per-VM series', () => {
    const s = tinySeries();
    s.vms = [];
    expect(vmSeriesCsv(s)).toBe('');
  });
});

describe('cells', () => {
  it('prints integers as they are and rounds the rest to 3 decimals', () => {
    expect(csvNumber(262144)).toBe('262144');
    expect(csvNumber(2 / 3)).toBe('0.667');
    expect(csvNumber(-2 / 3)).toBe('-0.667');
    expect(csvNumber(-0.0001)).toBe('0');
    expect(csvNumber(-0)).toBe('0');
    expect(csvNumber(0.1 + 0.2)).toBe('0.3');
    expect(csvNumber(Infinity)).toBe('');
  });

  it('quotes only text that needs it (RFC 4180)', () => {
    expect(csvText('web-1')).toBe('web-1');
    expect(csvText('a b')).toBe('a b');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('two\nlines')).toBe('"two\nlines"');
  });
});
