// A one-line progress bar on a terminal, redrawn at most ten times a second.
import type { WriteStream } from 'node:tty';

export function progressBar(stream: WriteStream): { update: (done: number, total: number) => void; done: () => void } {
  let last = 0;
  let drawn = false;
  const started = Date.now();
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const fraction = total > 0 ? done / total : 1;
      const filled = Math.round(fraction * width);
      const hours = (done / 3600).toFixed(1);
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${hours} h simulated  ${((now - started) / 1000).toFixed(1)} s`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
