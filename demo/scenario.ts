// The "Run a scenario" tab: the built-in scenario or dropped files, run in a worker with a progress bar, and the
// CLI's report shown in a sandboxed frame (no scripts, nothing fetched) with a link to save it.
import { formatDuration, formatNumber } from '../dist/src/report/index.js';
import type { RunMessage, RunRequest } from './scenario-worker.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class ScenarioTab {
  private worker: Worker | undefined;
  private reportUrl: string | undefined;

  init(): void {
    $('run-sample').addEventListener('click', () => this.run([]));
    const input = $<HTMLInputElement>('file-input');
    input.addEventListener('change', () => {
      if (input.files?.length) this.run([...input.files]);
      input.value = '';
    });
    const zone = $('drop-zone');
    zone.addEventListener('dragover', (event) => {
      event.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length) this.run(files);
    });
  }

  /** Start a run (stopping one under way). */
  run(files: File[]): void {
    this.worker?.terminate();
    const progress = $<HTMLProgressElement>('run-progress');
    const status = $('run-status');
    const error = $('run-error');
    error.hidden = true;
    progress.removeAttribute('value'); // indeterminate while traces are read
    status.textContent = files.length ? `Reading ${files.length} dropped file(s)…` : 'Reading the bundled sample…';
    document.body.dataset.run = 'running';

    const worker = new Worker(new URL('./scenario-worker.ts', import.meta.url), { type: 'module' });
    this.worker = worker;
    worker.addEventListener('message', (event: MessageEvent<RunMessage>) => {
      const message = event.data;
      switch (message.type) {
        case 'read':
          status.textContent = `Read ${formatNumber(message.files)} trace file(s)…`;
          break;
        case 'simulate':
          progress.value = message.doneSeconds / message.totalSeconds;
          status.textContent =
            `Simulating: ${formatDuration(message.doneSeconds)} of ${formatDuration(message.totalSeconds)} ` +
            `(${Math.floor((100 * message.doneSeconds) / message.totalSeconds)} %)`;
          break;
        case 'done':
          progress.value = 1;
          status.textContent =
            `Done: ${message.title}, ${formatNumber(message.vms)} VMs, ${formatDuration(message.simulatedSeconds)} ` +
            `simulated in ${formatNumber(message.wallSeconds, 1)} s.`;
          this.show(message.html).then(() => this.finish(worker, 'done'));
          break;
        case 'error':
          progress.value = 0;
          status.textContent = 'The run stopped.';
          error.textContent = message.message;
          error.hidden = false;
          this.finish(worker, 'error');
          break;
      }
    });
    worker.addEventListener('error', (event) => {
      error.textContent = event.message;
      error.hidden = false;
      this.finish(worker, 'error');
    });
    worker.postMessage({ files, pageUrl: location.href } satisfies RunRequest);
  }

  /** Show the report; resolves once the frame has loaded it. */
  private show(html: string): Promise<void> {
    const frame = $<HTMLIFrameElement>('report');
    const loaded = new Promise<void>((resolve) => frame.addEventListener('load', () => resolve(), { once: true }));
    frame.srcdoc = html;
    frame.hidden = false;
    if (this.reportUrl) URL.revokeObjectURL(this.reportUrl);
    this.reportUrl = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    $<HTMLAnchorElement>('report-download').href = this.reportUrl;
    $('report-actions').hidden = false;
    return loaded;
  }

  private finish(worker: Worker, outcome: 'done' | 'error'): void {
    worker.terminate();
    if (this.worker === worker) this.worker = undefined;
    document.body.dataset.run = outcome;
  }
}
