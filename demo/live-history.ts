// The live host's recent past: one sample after every balancer step, the last WINDOW_SECONDS kept, drawn with the
// report's own line charts.
import { type ChartLine, type Host, lineChart } from 'dynmem';
import { PALETTE } from '../dist/src/report/index.js';

/** Simulated seconds the charts show. */
export const WINDOW_SECONDS = 600;

interface VmTrack {
  assignedMB: number[];
  demandMB: number[];
  pressure: number[];
  smartPagingMB: number[];
}

/** Host-wide lines in the palette's black and grey; VMs take its other colours, so no VM looks like the host. */
const HOST_COLOR = '#000000';
const HOST_AVERAGE_COLOR = '#7F7F7F';
const VM_COLORS = PALETTE.filter((color) => color !== HOST_COLOR && color !== HOST_AVERAGE_COLOR);
const finiteOrGap = (x: number) => (Number.isFinite(x) ? x : Number.NaN);

const CHART_SIZE = { width: 600, height: 260 };

export class LiveHistory {
  readonly times: number[] = [];
  readonly availableMB: number[] = [];
  readonly systemPressure: number[] = [];
  readonly averagePressure: number[] = [];
  readonly smartPagingMB: number[] = [];
  /** Per VM, in the order VMs were added (which also fixes each VM's colour). */
  readonly vms = new Map<string, VmTrack>();

  /** A VM's colour in the charts and the table: the report's palette, by the order VMs were added. */
  colorOf(name: string): string {
    const index = [...this.vms.keys()].indexOf(name);
    return VM_COLORS[Math.max(0, index) % VM_COLORS.length]!;
  }

  addVm(name: string): void {
    const gap = () => this.times.map(() => Number.NaN);
    this.vms.set(name, { assignedMB: gap(), demandMB: gap(), pressure: gap(), smartPagingMB: gap() });
  }

  removeVm(name: string): void {
    this.vms.delete(name);
  }

  /** One sample of the host at simulated time `t` (s), replacing one already taken at `t` (a VM added, started or
   * stopped between ticks shows at once). A VM that is off leaves a gap. */
  record(t: number, host: Host): void {
    if (this.times.at(-1) === t) this.drop(1, true);
    const counters = host.counters();
    this.times.push(t);
    this.availableMB.push(counters.availableMemoryMB);
    // No running Dynamic Memory VM, no pressure: a gap rather than a number.
    this.systemPressure.push(finiteOrGap(counters.systemCurrentPressure));
    this.averagePressure.push(finiteOrGap(counters.averagePressure));
    this.smartPagingMB.push(counters.smartPagingMB);
    for (const [name, track] of this.vms) {
      const vm = host.vm(name);
      const on = vm.state !== 'Off';
      track.assignedMB.push(on ? vm.assignedMB : Number.NaN);
      track.demandMB.push(on ? vm.demandMB : Number.NaN);
      track.pressure.push(on ? finiteOrGap(vm.pressure) : Number.NaN);
      track.smartPagingMB.push(on ? vm.smartPagingMB : Number.NaN);
    }
    const old = this.times.findIndex((time) => time >= t - WINDOW_SECONDS);
    if (old > 0) this.drop(old);
  }

  /** Forget the `count` oldest samples, or with `newest` the newest. */
  private drop(count: number, newest = false): void {
    const columns = [this.times, this.availableMB, this.systemPressure, this.averagePressure, this.smartPagingMB];
    for (const track of this.vms.values()) columns.push(...Object.values(track));
    for (const column of columns) column.splice(newest ? -count : 0, count);
  }

  private perVm(pick: (track: VmTrack) => number[], dashed = false, suffix = ''): ChartLine[] {
    return [...this.vms].map(([name, track]) => ({
      label: `${name}${suffix}`,
      values: pick(track),
      color: this.colorOf(name),
      dashed,
    }));
  }

  /** The four live charts as SVG, by the id of the figure each goes into. */
  charts(capacityMB: number): Record<string, string> {
    const common = { ...CHART_SIZE, times: this.times, xLabel: 'Simulated time' };
    const capacity = this.times.map(() => capacityMB);
    return {
      'live-assigned': lineChart({
        ...common,
        id: 'chart-live-assigned',
        title: 'Assigned memory (solid) and demand (dashed) per VM',
        yLabel: 'MB',
        lines: [
          ...this.perVm((t) => t.assignedMB),
          ...this.perVm((t) => t.demandMB, true, ' demand'),
          { label: 'Capacity (memory − reserve)', values: capacity, color: HOST_COLOR, dashed: true },
        ],
      }),
      'live-pressure': lineChart({
        ...common,
        id: 'chart-live-pressure',
        title: 'Pressure per VM, and the host (100 % = demand exactly met)',
        yLabel: '%',
        lines: [
          ...this.perVm((t) => t.pressure),
          { label: 'System current pressure', values: this.systemPressure, color: HOST_COLOR },
          { label: 'Average pressure', values: this.averagePressure, color: HOST_AVERAGE_COLOR, dashed: true },
        ],
      }),
      'live-available': lineChart({
        ...common,
        id: 'chart-live-available',
        title: 'Available memory (what VMs could still be given)',
        yLabel: 'MB',
        lines: [{ label: 'Available memory', values: this.availableMB, color: PALETTE[2] }],
      }),
      'live-smart-paging': lineChart({
        ...common,
        id: 'chart-live-smart-paging',
        title: 'Smart Paging (restarts short of memory)',
        yLabel: 'MB',
        lines: [
          ...this.perVm((t) => t.smartPagingMB),
          { label: 'Host', values: this.smartPagingMB, color: HOST_COLOR, dashed: true },
        ],
      }),
    };
  }
}
