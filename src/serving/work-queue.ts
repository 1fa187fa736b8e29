import { performance } from 'node:perf_hooks';

/** One data-plane call waiting for the CPU: run it, or refuse it when it waited past the bound. */
export interface QueuedCall {
  run(): void;
  /** Called instead of run() when the call waited too long for the work still to be worth doing. */
  expire(waitedMs: number): void;
}

// Calls run back to back, in the turn of the event loop that received them, until this much time went on them;
// the rest wait for the next turn. A turn that ends gives libuv its poll phase back, where it accepts one new
// connection and reads the sockets that have data: with long turns, connections wait in the kernel's accept
// queue, unseen (libuv accepts one connection per turn), and a backlog forms that no signal of ours can see.
const SLICE_MS = 5;
// A call admitted on the expected wait can still wait longer (a burst of large batches); past this multiple of
// the bound it is refused at the head of the queue: its client has most likely given up or will soon.
const EXPIRY_FACTOR = 1.5;
// Weight of the newest call in the running mean of the time a call takes.
const SMOOTHING = 0.2;

interface Waiting {
  readonly call: QueuedCall;
  readonly at: number;
}

/**
 * The data plane's run queue: every admitted call of every protocol runs through it, in arrival order. While
 * the server keeps up, calls run at once (no extra turn of the loop, nothing stored); once a turn has
 * spent SLICE_MS on calls, the others queue and run in the following turns. The queue is what makes overload
 * visible: its expected wait (calls waiting × the mean time of a call) is the wait a new call would see, the
 * serving core sheds new calls on it, and a call that still waited past EXPIRY_FACTOR × the bound is refused
 * without being run.
 */
export class WorkQueue {
  private waiting: Waiting[] = [];
  private head = 0;
  private turnStarted = 0;
  private turnOpen = false;
  private meanCallMs = 0;
  /** Calls refused at the head of the queue since start. */
  expired = 0;

  /** `maxWaitMs` ≤ 0: calls are paced but never expire. */
  constructor(private readonly maxWaitMs: number, private readonly sliceMs: number = SLICE_MS, private readonly now: () => number = () => performance.now()) {}

  /** Calls waiting now. */
  get length(): number {
    return this.waiting.length - this.head;
  }

  /** How long a call submitted now would wait: calls ahead × the mean time a call takes. */
  get expectedWaitMs(): number {
    return this.length * this.meanCallMs;
  }

  /** Whether a call submitted now would wait past the bound: the serving core refuses new calls while it holds. */
  get saturated(): boolean {
    return this.maxWaitMs > 0 && this.expectedWaitMs > this.maxWaitMs;
  }

  submit(call: QueuedCall): void {
    const now = this.now();
    if (this.length === 0) {
      if (!this.turnOpen) this.openTurn(now);
      if (now - this.turnStarted < this.sliceMs) {
        this.runTimed(call, now);
        return;
      }
    }
    this.waiting.push({ call, at: now });
    if (!this.turnOpen) this.openTurn(now);
  }

  /** A turn begins: calls may run in it until the slice is spent; the next turn starts at setImmediate. */
  private openTurn(now: number): void {
    this.turnOpen = true;
    this.turnStarted = now;
    setImmediate(this.nextTurn);
  }

  private readonly nextTurn = (): void => {
    this.turnOpen = false;
    if (this.length === 0) return;
    const started = this.now();
    this.openTurn(started);
    let now = started;
    while (this.length > 0 && now - started < this.sliceMs) {
      const { call, at } = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as unknown as Waiting;
      const waited = now - at;
      if (this.maxWaitMs > 0 && waited > EXPIRY_FACTOR * this.maxWaitMs) {
        this.expired++;
        call.expire(waited);
      } else {
        this.runTimed(call, now);
      }
      now = this.now();
    }
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  };

  private runTimed(call: QueuedCall, started: number): void {
    try {
      call.run();
    } finally {
      const took = this.now() - started;
      this.meanCallMs = this.meanCallMs === 0 ? took : this.meanCallMs + SMOOTHING * (took - this.meanCallMs);
    }
  }
}
