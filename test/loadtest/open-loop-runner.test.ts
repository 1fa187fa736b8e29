import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaitingRequests } from '../../src/loadtest/open-loop-runner.js';

describe('WaitingRequests', () => {
  it('is first in, first out, across wrap-around and growth', () => {
    const waiting = new WaitingRequests();
    let pushed = 0;
    let shifted = 0;
    const take = () => {
      assert.equal(waiting.peekScheduledMs(), shifted + 0.5);
      assert.equal(waiting.shiftBody(), shifted % 512);
      shifted++;
    };
    for (; pushed < 1000; pushed++) waiting.push(pushed + 0.5, pushed % 512);
    for (let i = 0; i < 700; i++) take(); // the head moves along the ring
    for (; pushed < 4000; pushed++) waiting.push(pushed + 0.5, pushed % 512); // wraps around, then grows twice
    assert.equal(waiting.length, 3300);
    while (waiting.length > 0) take();
    assert.equal(shifted, 4000);
  });
});
