/**
 * A number as JavaScript source that reads back as exactly that double, for generated code (trees, record
 * checks): NaN, the infinities and -0 included, each in parentheses so it can stand anywhere an operand can.
 */
export function numberLiteral(n: number): string {
  if (Number.isNaN(n)) return '(0/0)';
  if (n === Infinity) return '(1/0)';
  if (n === -Infinity) return '(-1/0)';
  return Object.is(n, -0) ? '(-0)' : `(${String(n)})`;
}
