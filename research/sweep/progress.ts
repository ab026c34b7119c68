/** Progress of a sweep on stderr: a cli-progress bar with rate and ETA on a terminal, plain lines otherwise. */
import cliProgress from 'cli-progress';
import type { CliContext } from '../cli-context.ts';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function createProgress(ctx: CliContext, label: string, unit = 'combos'): Progress {
  // The rate is measured from the first report on (worker start-up and data loading are not combinations).
  let t0 = NaN, d0 = 0;
  const rateOf = (done: number) => {
    if (t0 !== t0) { t0 = performance.now(); d0 = done; return NaN; }
    const s = (performance.now() - t0) / 1000;
    return s > 0 ? (done - d0) / s : NaN;
  };
  if (ctx.isTTY) {
    const bar = new cliProgress.SingleBar({
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
      stream: process.stderr, hideCursor: true, etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update(done, total) {
        if (!started) { bar.start(total, 0, { rate: '0' }); started = true; }
        const rate = rateOf(done);
        bar.update(done, { rate: Number.isFinite(rate) ? rate.toFixed(0) : '?' });
      },
      stop() { if (started) bar.stop(); },
    };
  }
  let lastTenth = -1;
  return {
    update(done, total) {
      const rate = rateOf(done);
      const tenth = Math.floor((done / total) * 10);
      if (tenth === lastTenth && done < total) return;
      lastTenth = tenth;
      const eta = rate > 0 ? (total - done) / rate : NaN;
      ctx.stderr(`${label}: ${done}/${total} ${unit} (${Math.round((done / total) * 100)}%), ${Number.isFinite(rate) ? rate.toFixed(0) : '?'} ${unit}/s, ETA ${Number.isFinite(eta) ? eta.toFixed(1) + 's' : '?'}\n`);
    },
    stop() { /* plain lines need no cleanup */ },
  };
}

/**
 * Machine-readable progress (`--progress-json`): one line `{"progress":{"label","done","total"}}` on stderr per
 * reported step (at most one per whole percent), for programs that run the CLI (the server's background jobs).
 */
export function jsonProgress(ctx: CliContext, label: string): Progress {
  let lastPct = -1;
  return {
    update(done, total) {
      const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
      if (pct === lastPct && done < total) return;
      lastPct = pct;
      ctx.stderr(JSON.stringify({ progress: { label, done, total } }) + '\n');
    },
    stop() { /* one line per step: nothing to clean up */ },
  };
}
