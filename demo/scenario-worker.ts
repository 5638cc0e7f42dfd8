// Runs a scenario off the page's thread, so the progress bar moves: posts progress, then the report's HTML (the
// CLI's report.html, built by the same reportHtml) or the error that stopped the run.
import { reportHtml, simulate } from 'dynmem';
import { demoTraceLoader, scenarioOf } from './scenario-input.ts';

/** What the page sends: the dropped files (none: the built-in scenario) and its own URL, for the sample's. */
export interface RunRequest {
  files: File[];
  pageUrl: string;
}

export type RunMessage =
  | { type: 'read'; files: number }
  | { type: 'simulate'; doneSeconds: number; totalSeconds: number }
  | { type: 'done'; html: string; title: string; vms: number; simulatedSeconds: number; wallSeconds: number }
  | { type: 'error'; message: string };

const post = (message: RunMessage) => postMessage(message);

addEventListener('message', async (event: MessageEvent<RunRequest>) => {
  const { files, pageUrl } = event.data;
  try {
    let read = 0;
    const traceLoader = demoTraceLoader(files, pageUrl, () => post({ type: 'read', files: ++read }));
    const scenario = await scenarioOf(files, traceLoader);
    let shown = -1;
    const result = await simulate(scenario, {
      traceLoader,
      // A message per percent of the run at most: a smooth bar, and the page not flooded.
      onProgress: (doneSeconds, totalSeconds) => {
        const step = Math.floor((100 * doneSeconds) / totalSeconds);
        if (step === shown) return;
        shown = step;
        post({ type: 'simulate', doneSeconds, totalSeconds });
      },
    });
    const { summary, series } = result;
    post({
      type: 'done',
      html: reportHtml(summary, series, result.policies ? { policies: result.policies } : {}),
      title: summary.scenario,
      vms: summary.vms,
      simulatedSeconds: summary.durationSeconds,
      wallSeconds: summary.wallSeconds,
    });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
