import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestRate, scrapeCpu, scrapeRequests } from '../../../src/autoscale/simulator/metrics-scrapers.js';
import { deletionOrder } from '../../../src/autoscale/simulator/replica-set.js';
import { createPod, createSettledPod } from '../../../src/autoscale/simulator/simulated-pod.js';
import { defaultTimings } from '../../../src/autoscale/simulator/simulation-options.js';
import { deployment } from './scenario-fixtures.js';

describe('metrics-server scraping', () => {
  it('serves the CPU rate between the last two scrapes', () => {
    const pod = createSettledPod('a', -1000);
    scrapeCpu([pod], 0, 15);
    assert.equal(pod.cpuSample, null, 'one scrape is not a rate');
    pod.cpuSeconds += 6; // 0.4 core over 15 s
    scrapeCpu([pod], 15, 15);
    assert.deepEqual(pod.cpuSample, { value: 400, timestamp: 15, window: 15 });
  });

  it('gives a new container its first sample from its start when scraped 10 s or more after it', () => {
    const pod = createPod('b', 0, deployment(), defaultTimings);
    const started = pod.containerStartedAt;
    pod.cpuSeconds = 12;
    scrapeCpu([pod], started + 12, 15);
    assert.deepEqual(pod.cpuSample, { value: 1000, timestamp: started + 12, window: 12 });
    const young = createPod('c', 0, deployment(), defaultTimings);
    scrapeCpu([young], young.containerStartedAt + 5, 15);
    assert.equal(young.cpuSample, null);
  });
});

describe('Prometheus request rate', () => {
  it('is the increase over the samples inside the window', () => {
    const pod = createSettledPod('a', -1000);
    for (const [time, count] of [[0, 0], [15, 300], [30, 600], [45, 1200]] as const) {
      pod.handledRequests = count;
      scrapeRequests([pod], time, 300);
    }
    assert.deepEqual(requestRate(pod, 45, 60), { rate: 1200 / 45, at: 45 });
    assert.deepEqual(requestRate(pod, 45, 40), { rate: (1200 - 300) / 30, at: 45 });
    assert.equal(requestRate(pod, 45, 10), null, 'a single sample in the window');
  });
});

describe('ReplicaSet scale-down order', () => {
  it('deletes unscheduled, then starting, then the most recently Ready pods first', () => {
    const old = createSettledPod('old', -5000);
    const newer = createSettledPod('newer', -5000);
    newer.readyChangedAt = -100;
    const starting = createPod('starting', -3, deployment(), defaultTimings);
    const unscheduled = createPod('unscheduled', -0.5, deployment(), defaultTimings);
    assert.deepEqual(deletionOrder([old, newer, starting, unscheduled], 0).map((p) => p.name), ['unscheduled', 'starting', 'newer', 'old']);
  });
});

describe('pod start-up plan', () => {
  it('succeeds the startup probe at its first tick after the process is up, and probes readiness at once after', () => {
    const withStartup = deployment({ startupProbe: { initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 30 } });
    const pod = createPod('p', 0, withStartup, { ...defaultTimings, appStartSeconds: 3 });
    // scheduled at 1, container at 2, app at 5: startup ticks 2, 4, 6 -> 6; readiness triggered at 6.
    assert.deepEqual([pod.containerStartedAt, pod.appReadyAt, pod.startedAt, pod.nextReadinessProbeAt], [2, 5, 6, 6]);
  });

  it('waits for initialDelaySeconds on the readiness grid without a startup probe', () => {
    const seedLike = deployment({ readinessProbe: { initialDelaySeconds: 20, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } });
    const pod = createPod('p', 0, seedLike, defaultTimings);
    assert.equal(pod.nextReadinessProbeAt, pod.containerStartedAt + 20);
  });
});
