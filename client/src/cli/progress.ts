/**
 * Upload progress on stderr: a progress bar (cli-progress) when stderr is a terminal, nothing
 * otherwise (scripts read stdout; a redirected stderr should not fill with bar redraws).
 */
import { SingleBar } from 'cli-progress';
import type { UploadProgress } from '../upload.ts';

export interface ProgressDisplay {
  update(progress: UploadProgress): void;
  /** Clears the bar so messages that follow start on a clean line. */
  stop(): void;
}

const MB = 1024 * 1024;

export function progressDisplay(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  label: string,
): ProgressDisplay {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    stream: stream as NodeJS.WriteStream,
    format: `${label} [{bar}] {percentage}% | {sentMB}/{totalMB} MB | {eta_formatted}`,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update({ bytesSent, totalBytes }) {
      const payload = {
        sentMB: (bytesSent / MB).toFixed(1),
        totalMB: (totalBytes / MB).toFixed(1),
      };
      if (!started) {
        started = true;
        bar.start(totalBytes, bytesSent, payload);
      } else {
        bar.update(bytesSent, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
