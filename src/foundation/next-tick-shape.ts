import { createHook } from 'node:async_hooks';

// One of Node's own `process.nextTick` queue entries, held for the life of the process.
let keptEntry: object | undefined;

/**
 * Keeps `process.nextTick` on V8's fast path for the life of the process. Call it once, as early as possible.
 *
 * Why: nextTick makes each queue entry with an object literal whose first keys are computed (Node's async-id
 * symbols). V8's optimised code defines such keys inline only while the literal's feedback has seen one map per key;
 * a second map turns that feedback megamorphic for good, and from then on every entry is defined key by key through
 * V8's runtime. The maps the literal goes through are held weakly. A full collection that runs while no entry is
 * alive (an idle moment of a server) frees them, the next entry gets new maps, and the process has turned slow:
 * measured under callgrind, 152,000 instructions per `/predict` instead of 129,000 (docs/server.md, Performance).
 * Holding one real entry holds its map and, through each map's pointer back to the one before, every map the
 * literal goes through, whatever keys this Node version's literal has.
 *
 * The entry is caught with an async hook's `init`, which Node calls with it; the hook is enabled for that one call.
 */
export function keepNextTickShape(): void {
  if (keptEntry !== undefined) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject' && keptEntry === undefined) keptEntry = resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(doNothing);
  } finally {
    hook.disable();
  }
}

function doNothing(): void {}
