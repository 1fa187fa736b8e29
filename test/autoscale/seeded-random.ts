import { SeededRandom as TrainingRandom } from '../../src/foundation/seeded-random.js';

/** The project's seeded generator with the draws property tests need, so runs reproduce from the seed they print. */
export class SeededRandom extends TrainingRandom {
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}
