// A one-line progress bar on a terminal, redrawn at most ten times a second.
import type { WriteStream } from 'node:tty';

/** The text after the bar: by default simulated hours and elapsed seconds. */
export type ProgressText = (done: number, total: number, elapsedSeconds: number) => string;

const simulatedHours: ProgressText = (done, _total, elapsed) =>
  `${(done / 3600).toFixed(1)} h simulated  ${elapsed.toFixed(1)} s`;

export function progressBar(
  stream: WriteStream,
  text: ProgressText = simulatedHours,
): { update: (done: number, total: number) => void; done: () => void } {
  let last = 0;
  let drawn = false;
  const started = Date.now();
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(fraction * width);
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${text(done, total, (now - started) / 1000)}\x1b[K`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
