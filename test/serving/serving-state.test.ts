import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServingState } from '../../src/serving/serving-state.js';

test('ServingState counts requests in flight and resolves whenIdle when the last one finishes', async () => {
  const state = new ServingState();
  await state.whenIdle();
  state.requestStarted();
  state.requestStarted();
  let idle = false;
  const waiting = state.whenIdle().then(() => { idle = true; });
  state.requestFinished();
  await Promise.resolve();
  assert.equal(idle, false);
  assert.equal(state.inFlight, 1);
  state.requestFinished();
  await waiting;
  assert.equal(idle, true);
  assert.equal(state.inFlight, 0);
});

test('ServingState drains once and stays draining', () => {
  const state = new ServingState();
  assert.equal(state.draining, false);
  state.beginDrain();
  state.beginDrain();
  assert.equal(state.draining, true);
});
