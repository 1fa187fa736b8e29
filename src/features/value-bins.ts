/**
 * The bin of a value among ascending cut points: the number of cuts at or below it, so a value exactly on a cut
 * goes to the bin above (as a tree split sends x >= threshold right). A binary search; no allocation. Used by the
 * GBDT trainer's histograms and by drift monitoring's bins.
 */
export function binOf(cuts: Float64Array, value: number): number {
  let low = 0;
  let high = cuts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cuts[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}
