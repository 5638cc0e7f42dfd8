// The "Live host" tab: one host in the page, its VMs added, driven and changed by hand while the balancer runs
// on a timer. Every rule is the library's: a refused call shows its DynamicMemoryError message and changes nothing.
import { createHost, type Host, type VmConfig, type VmSnapshot } from 'dynmem';
import { formatClock, formatNumber } from '../dist/src/report/index.js';
import { LiveHistory } from './live-history.ts';

/** How often the page runs the balancer, real ms; each step advances `speed` × this much simulated time. */
const STEP_MS = 200;
/** What the VM list says after an action. */
const DONE = { start: 'Started', restart: 'Restarted', stop: 'Stopped', remove: 'Removed' } as const;
/** Settings that are yes/no. */
const BOOLEAN_SETTINGS = new Set(['dynamicMemory']);

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A message under a form: the library's refusal (as an alert) or what was done. */
function say(element: HTMLElement, text: string, isError: boolean): void {
  element.textContent = text;
  element.className = `message ${isError ? 'error' : 'ok'}`;
  element.setAttribute('role', isError ? 'alert' : 'status');
}

/** A form field as the library should see it: numbers as numbers, yes/no as booleans, anything else as typed so
 * the library's refusal names it. */
function parseValue(field: string, text: string): unknown {
  const trimmed = text.trim();
  if (BOOLEAN_SETTINGS.has(field)) return trimmed === 'true' ? true : trimmed === 'false' ? false : trimmed;
  if (field === 'guestOsMaxMB' && (trimmed === '' || trimmed === 'null' || trimmed === 'none')) return null;
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

interface Row {
  tr: HTMLTableRowElement;
  cells: Record<'state' | 'assigned' | 'pressure' | 'smartPaging' | 'status' | 'settings', HTMLElement>;
  slider: HTMLInputElement;
  demand: HTMLOutputElement;
  buttons: Record<'start' | 'restart' | 'stop' | 'remove', HTMLButtonElement>;
}

export class LiveHost {
  private host!: Host;
  private history = new LiveHistory();
  private rows = new Map<string, Row>();
  private seconds = 0;
  private pending = 0;
  private running = true;
  private speed = 5;

  async init(): Promise<void> {
    this.wireControls();
    await this.newHost(16384);
    // Two VMs to start from, as in examples/browser: a web server and a heavier, higher-weight database.
    this.addVm({ name: 'web', startupMB: 2048, minimumMB: 512, maximumMB: 8192 }, true, 1000);
    this.addVm({ name: 'db', startupMB: 4096, minimumMB: 1024, maximumMB: 12288, weight: 8000 }, true, 6000);
    setInterval(() => this.tick(), STEP_MS);
  }

  /** Replace the host by an empty one of `memoryMB`; a refused size throws and leaves everything as it was. */
  private async newHost(memoryMB: number): Promise<void> {
    this.host = await createHost({ memoryMB });
    this.history = new LiveHistory();
    this.seconds = 0;
    for (const row of this.rows.values()) row.tr.remove();
    this.rows.clear();
    this.render();
  }

  /** Add (and optionally start) a VM; false when the library refused, with its message shown. */
  private addVm(config: Record<string, unknown>, start: boolean, demandMB = 0): boolean {
    const message = $('#add-message');
    const name = String(config.name);
    try {
      // The form's values go to the library as typed: refusing bad ones, with a message, is its job.
      this.host.addVm(config as unknown as VmConfig);
    } catch (error) {
      say(message, errorText(error), true);
      return false;
    }
    this.host.setDemand(name, demandMB);
    this.history.addVm(name);
    this.rows.set(name, this.buildRow(name));
    say(message, `Added ${name}.`, false);
    if (start) this.act(name, 'start');
    this.render();
    return true;
  }

  private act(name: string, action: 'start' | 'restart' | 'stop' | 'remove'): void {
    const message = $('#vm-message');
    try {
      if (action === 'remove') {
        this.host.removeVm(name);
        this.rows.get(name)?.tr.remove();
        this.rows.delete(name);
        this.history.removeVm(name);
      } else {
        this.host[action](name);
      }
      say(message, `${DONE[action]} ${name}.`, false);
    } catch (error) {
      say(message, errorText(error), true);
    }
    this.render();
  }

  private buildRow(name: string): Row {
    const tr = document.createElement('tr');
    tr.dataset.vm = name;
    const cell = (className = '') => {
      const td = tr.insertCell();
      td.className = className;
      return td;
    };
    const head = document.createElement('th');
    head.scope = 'row';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = this.history.colorOf(name);
    head.append(swatch, name);
    tr.append(head);
    const state = cell('state');
    const demandCell = cell('demand');
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.min = '0';
    slider.step = '32';
    slider.setAttribute('aria-label', `Demand of ${name} (MB)`);
    const demand = document.createElement('output');
    demandCell.append(slider, demand);
    slider.addEventListener('input', () => {
      this.host.setDemand(name, Number(slider.value));
      demand.textContent = formatNumber(Number(slider.value));
      slider.setAttribute('aria-valuetext', `${demand.textContent} MB`);
    });
    const cells = {
      state,
      assigned: cell('num assigned'),
      pressure: cell('num pressure'),
      smartPaging: cell('num smart-paging'),
      status: cell('status'),
      settings: cell('settings'),
    };
    const actions = cell('actions');
    const button = (action: 'start' | 'restart' | 'stop' | 'remove', label: string) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.dataset.action = action;
      b.setAttribute('aria-label', `${label} ${name}`);
      b.addEventListener('click', () => this.act(name, action));
      actions.append(b);
      return b;
    };
    const buttons = {
      start: button('start', 'Start'),
      restart: button('restart', 'Restart'),
      stop: button('stop', 'Stop'),
      remove: button('remove', 'Remove'),
    };
    $('#vm-table tbody').append(tr);
    return { tr, cells, slider, demand, buttons };
  }

  private updateRow(row: Row, vm: VmSnapshot): void {
    const s = vm.settings;
    row.cells.state.textContent = vm.state === 'Starting' ? `Starting (${vm.bootSecondsLeft} s)` : vm.state;
    row.cells.assigned.textContent = formatNumber(vm.assignedMB);
    row.cells.pressure.textContent = vm.state === 'Off' ? '—' : formatNumber(vm.pressure);
    row.cells.smartPaging.textContent = formatNumber(vm.smartPagingMB);
    row.cells.status.textContent = vm.memoryStatus;
    row.cells.status.className = `status status-${vm.memoryStatus}`;
    row.cells.settings.textContent = s.dynamicMemory
      ? `${formatNumber(s.startupMB)} / ${formatNumber(s.minimumMB)} / ${formatNumber(s.maximumMB)}`
      : `${formatNumber(s.startupMB)} (static)`;
    // The slider spans what the VM could ever use on this host.
    const top = String(Math.min(s.maximumMB, this.host.memoryMB));
    if (row.slider.max !== top) row.slider.max = top;
    if (document.activeElement !== row.slider) row.slider.value = String(vm.demandMB);
    row.demand.textContent = formatNumber(vm.demandMB);
    row.slider.setAttribute('aria-valuetext', `${row.demand.textContent} MB`);
    const on = vm.state !== 'Off';
    row.buttons.start.disabled = on;
    row.buttons.restart.disabled = !on;
    row.buttons.stop.disabled = !on;
    row.buttons.remove.disabled = on;
  }

  private tick(): void {
    // A hidden page (another browser tab) holds the clock, as a paused one does.
    if (!this.running || document.hidden) return;
    this.pending += (this.speed * STEP_MS) / 1000;
    const whole = Math.floor(this.pending);
    if (whole === 0) return;
    this.pending -= whole;
    this.advance(whole);
  }

  private advance(seconds: number): void {
    this.host.advance(seconds);
    this.seconds += seconds;
    this.render();
  }

  /** Show the host as it is now: table, figures and charts (the newest sample retaken). */
  private render(): void {
    const host = this.host;
    this.history.record(this.seconds, host);
    const counters = host.counters();
    for (const [name, row] of this.rows) this.updateRow(row, host.vm(name));
    $('#no-vms').hidden = this.rows.size > 0;
    $('#clock').textContent = formatClock(this.seconds, true);
    $('#host-info').textContent =
      `${formatNumber(host.memoryMB)} MB of memory, ${formatNumber(host.reserveMB)} MB reserved for the host ` +
      `(automatic), ${host.engine} engine. ${counters.runningVms} of ${this.rows.size} VMs on; ` +
      `available ${formatNumber(counters.availableMemoryMB)} MB.`;
    $('#host-info').dataset.availableMb = String(counters.availableMemoryMB);
    const select = $<HTMLSelectElement>('#settings-form select[name="vm"]');
    const names = [...this.rows.keys()];
    if ([...select.options].map((o) => o.value).join('\n') !== names.join('\n')) {
      const chosen = select.value;
      select.replaceChildren(...names.map((n) => new Option(n, n, false, n === chosen)));
    }
    const charts = this.history.charts(host.memoryMB - host.reserveMB);
    for (const [id, svg] of Object.entries(charts)) document.getElementById(id)!.innerHTML = svg;
  }

  private nextName(): string {
    for (let k = this.rows.size + 1; ; k++) if (!this.rows.has(`vm-${k}`)) return `vm-${k}`;
  }

  private wireControls(): void {
    const hostForm = $<HTMLFormElement>('#host-form');
    hostForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const memoryMB = parseValue('memoryMB', new FormData(hostForm).get('memoryMB') as string);
      try {
        await this.newHost(memoryMB as number);
        say($('#host-message'), `A new host of ${formatNumber(this.host.memoryMB)} MB, no VMs yet.`, false);
      } catch (error) {
        say($('#host-message'), errorText(error), true);
      }
    });
    const toggle = $<HTMLButtonElement>('#run-toggle');
    toggle.addEventListener('click', () => {
      this.running = !this.running;
      toggle.textContent = this.running ? 'Pause' : 'Run';
    });
    $<HTMLSelectElement>('#speed').addEventListener('change', (event) => {
      this.speed = Number((event.target as HTMLSelectElement).value);
    });
    $('#step').addEventListener('click', () => this.advance(10));

    const addForm = $<HTMLFormElement>('#add-form');
    const nameInput = addForm.elements.namedItem('name') as HTMLInputElement;
    nameInput.value = 'vm-3';
    addForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(addForm);
      const config: Record<string, unknown> = { name: String(data.get('name')).trim() };
      for (const field of ['startupMB', 'minimumMB', 'maximumMB', 'bufferPercent', 'weight'])
        config[field] = parseValue(field, String(data.get(field)));
      config.dynamicMemory = data.get('dynamicMemory') === 'on';
      // Without Dynamic Memory a VM has startup RAM only: the library refuses minimum and maximum then.
      if (!config.dynamicMemory) {
        delete config.minimumMB;
        delete config.maximumMB;
      }
      if (this.addVm(config, data.get('start') === 'on')) nameInput.value = this.nextName();
    });

    const settingsForm = $<HTMLFormElement>('#settings-form');
    settingsForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(settingsForm);
      const vm = String(data.get('vm'));
      const field = String(data.get('field'));
      const message = $('#settings-message');
      try {
        this.host.setMemory(vm, { [field]: parseValue(field, String(data.get('value'))) });
        say(message, `${vm}: ${field} is now ${String(this.host.vm(vm).settings[field as 'startupMB'])}.`, false);
      } catch (error) {
        say(message, errorText(error), true);
      }
      this.render();
    });
  }
}
