import cliProgress from 'cli-progress';
import type { RoundReport } from '../training/gbdt/gbdt-trainer.js';

/** Round-by-round progress: a live bar on a terminal, a plain line every `every` rounds otherwise. */
export function trainingProgress(maxRounds: number, stream: NodeJS.WriteStream = process.stderr, every = 50) {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream,
      format: 'boosting {bar} round {value}/{total} | train loss {trainLoss} | valid loss {validLoss} | valid AUC {validAuc}',
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(maxRounds, 0, { trainLoss: '-', validLoss: '-', validAuc: '-' });
    return {
      onRound: (r: RoundReport) => bar.update(r.round, { trainLoss: r.trainLoss.toFixed(4), validLoss: r.validLoss.toFixed(4), validAuc: r.validAuc.toFixed(4) }),
      // Early stopping ends before maxRounds: show where it stopped.
      done: (rounds: number) => { bar.setTotal(rounds); bar.update(rounds); bar.stop(); },
    };
  }
  let last: RoundReport | undefined;
  const line = (r: RoundReport) => stream.write(`round ${r.round}: train loss ${r.trainLoss.toFixed(4)}, valid loss ${r.validLoss.toFixed(4)}, valid AUC ${r.validAuc.toFixed(4)}\n`);
  return {
    onRound: (r: RoundReport) => { last = r; if (r.round === 1 || r.round % every === 0) line(r); },
    done: () => { if (last !== undefined && last.round % every !== 0) line(last); },
  };
}
