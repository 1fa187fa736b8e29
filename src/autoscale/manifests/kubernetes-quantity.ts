const suffixes: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/**
 * A Kubernetes resource quantity ("500m", "0.5", "512Mi", "1e3", or a bare YAML number) in base units; null when
 * it is not one.
 */
export function parseQuantity(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/.exec(value.trim());
  if (match === null) return null;
  const mantissa = Number(match[1]);
  if (match[2] !== undefined) return Number(`${match[1]}${match[2]}`);
  return mantissa * suffixes[match[3] ?? '']!;
}

/** A quantity in milli-units, rounded up as resource.Quantity.MilliValue does. */
export function milliValue(value: unknown): number | null {
  const quantity = parseQuantity(value);
  return quantity === null ? null : Math.ceil(quantity * 1000 - 1e-9);
}

/** A Go duration such as "30s", "1m", "1m30s", "500ms"; null when it is not one. */
export function parseGoDurationSeconds(value: unknown): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const units: Readonly<Record<string, number>> = { ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let rest = value.trim();
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (match === null) return null;
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}
