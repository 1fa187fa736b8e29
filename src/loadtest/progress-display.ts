import cliProgress from 'cli-progress';
import type { RunSnapshot } from './open-loop-runner.js';

export interface LoadProgress {
  onProgress: (snapshot: RunSnapshot) => void;
  done: () => void;
}

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));

function statusText(s: RunSnapshot): string {
  const statuses = [...s.statuses].sort((a, b) => a[0] - b[0]).map(([code, n]) => `${code}:${n}`).join(' ');
  const kinds = Object.entries(s.interval?.errorsByKind ?? {}).filter(([k]) => k !== 'http_status').map(([k, n]) => `${k}:${n}`).join(' ');
  return [statuses || 'no responses yet', kinds].filter((t) => t !== '').join(' ');
}

function fields(s: RunSnapshot) {
  return {
    elapsed: s.elapsedSeconds.toFixed(0),
    // The last whole interval's offered rate, beside the rate achieved in that same interval.
    offered: fmt(s.interval?.offeredRps ?? s.offeredRpsNow),
    achieved: fmt(s.interval?.achievedRps),
    p50: fmt(s.interval?.p50Ms, 2),
    p99: fmt(s.interval?.p99Ms, 2),
    inFlight: String(s.inFlight),
    statuses: statusText(s),
    behind: s.lateSends > 0.01 * Math.max(1, s.sent) ? ' GENERATOR BEHIND' : '',
  };
}

/**
 * Live progress once per interval: a bar redrawn in place on a terminal, a plain line every `everySeconds`
 * otherwise (CI logs and pipes get something readable instead of control codes).
 */
export function loadProgress(durationSeconds: number, stream: NodeJS.WriteStream = process.stderr, everySeconds = 5): LoadProgress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream,
      format: '{bar} {elapsed}/{total} s | offered {offered}/s achieved {achieved}/s | p50 {p50} ms p99 {p99} ms | in flight {inFlight} | {statuses}{behind}',
      hideCursor: true,
      barsize: 20,
    }, cliProgress.Presets.shades_classic);
    bar.start(Math.ceil(durationSeconds), 0, fields({ elapsedSeconds: 0, durationSeconds, offeredRpsNow: 0, interval: undefined, sent: 0, ok: 0, failed: 0, inFlight: 0, statuses: new Map(), lateSends: 0 }));
    return {
      onProgress: (s) => bar.update(Math.min(Math.ceil(durationSeconds), Math.floor(s.elapsedSeconds)), fields(s)),
      done: () => { bar.update(Math.ceil(durationSeconds)); bar.stop(); },
    };
  }
  let lastLine = Number.NEGATIVE_INFINITY;
  return {
    onProgress: (s) => {
      if (s.elapsedSeconds - lastLine < everySeconds - 1e-6) return;
      lastLine = s.elapsedSeconds;
      const f = fields(s);
      stream.write(`${f.elapsed}/${Math.ceil(durationSeconds)} s: offered ${f.offered}/s, achieved ${f.achieved}/s, p50 ${f.p50} ms, p99 ${f.p99} ms, in flight ${f.inFlight}, ${f.statuses}${f.behind}\n`);
    },
    done: () => undefined,
  };
}
