import type { SimulatedPod } from './simulated-pod.js';

/**
 * metrics-server: CPU usage is the rate between its last two scrapes of the kubelet, so a sample covers one
 * resolution window. A new container yields a first sample when scraped 10 s or more (and less than one
 * resolution) after it started, counting from its start; otherwise it needs a second scrape.
 */
export function scrapeCpu(pods: readonly SimulatedPod[], now: number, resolutionSeconds: number): void {
  for (const pod of pods) {
    if (pod.exitedAt !== null || now < pod.containerStartedAt) continue;
    const last = pod.lastCpuScrape;
    if (last === null) {
      const age = now - pod.containerStartedAt;
      if (age >= 10 && age < resolutionSeconds) {
        pod.cpuSample = { value: Math.round((pod.cpuSeconds / age) * 1000), timestamp: now, window: age };
      }
    } else if (now > last.time) {
      const window = now - last.time;
      pod.cpuSample = { value: Math.round(((pod.cpuSeconds - last.cpuSeconds) / window) * 1000), timestamp: now, window };
    }
    pod.lastCpuScrape = { time: now, cpuSeconds: pod.cpuSeconds };
  }
}

/** Prometheus scraping each serving process's request counter (it answers /metrics while it listens). */
export function scrapeRequests(pods: readonly SimulatedPod[], now: number, keepSeconds: number): void {
  for (const pod of pods) {
    if (pod.exitedAt !== null || now < pod.appReadyAt || (pod.stopAcceptingAt !== null && now >= pod.stopAcceptingAt)) continue;
    pod.requestSamples.push({ time: now, count: pod.handledRequests });
    while (pod.requestSamples.length > 2 && pod.requestSamples[0]!.time < now - keepSeconds) pod.requestSamples.shift();
  }
}

/**
 * `rate(counter[window])` at `now`: the increase between the first and last samples inside the window over their
 * distance, without Prometheus's extrapolation to the window edges; null with fewer than two samples.
 */
export function requestRate(pod: SimulatedPod, now: number, windowSeconds: number): { rate: number; at: number } | null {
  let first: { time: number; count: number } | null = null;
  let last: { time: number; count: number } | null = null;
  for (const sample of pod.requestSamples) {
    if (sample.time <= now - windowSeconds || sample.time > now) continue;
    first ??= sample;
    last = sample;
  }
  if (first === null || last === null || last.time <= first.time) return null;
  return { rate: (last.count - first.count) / (last.time - first.time), at: last.time };
}
