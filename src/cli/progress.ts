// The progress bar of `sell` and `simulate` (cli-progress), drawn on
// io.progressStream: stderr, and only when it is a terminal, so a piped or
// captured run never gets one. It shows from the first lead, with the count,
// the rate and the time left, and each frame is cut to the terminal's width,
// so a narrow terminal redraws the one line instead of wrapping into a new
// line a frame.

import { clearLine, cursorTo } from 'node:readline';
import cliProgress from 'cli-progress';
import type { Io } from './io.js';

export interface ProgressBar {
  update(done: number): void;
  /** Clear the bar before a line is printed (stdout may share the terminal); the next frame draws it again. */
  hide(): void;
  /** Stop drawing and clear the line. */
  done(): void;
}

const NO_BAR: ProgressBar = { update: () => undefined, hide: () => undefined, done: () => undefined };

/** `12,345` */
const count = (n: number) => n.toLocaleString('en-US');

/** `42s`, `3m04s`, `1h02m` */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One frame: `selling [####------] 42% 420/1,000 leads 350/s ETA 2s`, at most `width - 1` columns. */
export function progressLine(label: string, unit: string, p: { value: number; total: number; progress: number; startTime: number; eta: number; maxWidth: number }, now: number): string {
  const seconds = Math.max((now - p.startTime) / 1000, 0.001);
  const rate = p.value > 0 ? `${count(Math.round(p.value / seconds))}/s` : '-/s';
  const eta = p.value > 0 && Number.isFinite(p.eta) ? `ETA ${duration(p.eta)}` : 'ETA -';
  const bar = cliProgress.Format.BarFormat(p.progress, { barsize: 20, barCompleteString: '#'.repeat(21), barIncompleteString: '-'.repeat(21), barGlue: '' });
  const line = `${label} [${bar}] ${String(Math.floor(p.progress * 100)).padStart(3)}% ${count(p.value)}/${count(p.total)} ${unit} ${rate} ${eta}`;
  // The last column is left free: a line that fills it wraps on some terminals.
  return line.slice(0, Math.max(0, p.maxWidth - 1));
}

export function progressBar(io: Io, label: string, total: number, unit: string): ProgressBar {
  const stream = io.progressStream;
  if (!stream?.isTTY) return NO_BAR;
  const bar = new cliProgress.SingleBar({
    stream: stream as NodeJS.WritableStream,
    format: (_options, params) => progressLine(label, unit, params, Date.now()),
    fps: 10,
    // Frames are redrawn even when unchanged: hide() may have cleared the line.
    forceRedraw: true,
    // true keeps the terminal's own wrapping setting and cuts the frame to its width.
    linewrap: true,
    clearOnComplete: true,
    hideCursor: false,
    etaBuffer: 50,
  });
  bar.start(total, 0);
  let stopped = false;
  return {
    update: (done) => bar.update(done),
    hide: () => {
      if (stopped) return;
      cursorTo(stream as NodeJS.WritableStream, 0);
      clearLine(stream as NodeJS.WritableStream, 0);
    },
    done: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
