/** Number formats the console uses everywhere, so a probability reads the same on every page. */
const integer = new Intl.NumberFormat('en-US');

export const count = (n: number): string => integer.format(n);

/** A probability as a percentage with one decimal: 0.7312 → "73.1%". */
export const percent = (p: number): string => `${(p * 100).toFixed(1)}%`;

export const seconds = (s: number): string => (s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);

export const milliseconds = (ms: number): string => (ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`);
