// Load generation and what to read off the service while it runs, shared by bench/load-checks.ts and
// bench/face-check.ts: closed and open loops, summaries, stage medians, event-loop delay, CPU and RSS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { ADMIN_KEY, median, percentile, round } from './service-bench.ts';

export interface Answer { at: number; ms: number; status: number; code?: string; timings?: Record<string, number> }
type Check = () => Promise<Answer>;

/** Open-loop client bound: beyond this many outstanding requests, a send is skipped and counted. */
const MAX_OUTSTANDING = 1_000;
const CLOCK_TICKS_PER_S = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => (xs.length ? round(percentile(xs, p)) : null);

/** `concurrency` clients, each sending the next check as soon as the last one answered, for `seconds`. */
export async function closedLoop(check: Check, concurrency: number, seconds: number): Promise<Answer[]> {
  const out: Answer[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < end) out.push(await check()); }));
  return out;
}

/** Checks sent at `rate` per second whatever the answers, for `seconds`. */
export async function openLoop(check: Check, rate: number, seconds: number): Promise<{ out: Answer[]; skipped: number }> {
  const out: Answer[] = [];
  let outstanding = 0;
  let skipped = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let n = 0; ; n++) {
    const due = start + (n * 1000) / rate;
    if (due - start > seconds * 1000) break;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (outstanding >= MAX_OUTSTANDING) { skipped++; continue; }
    outstanding++;
    pending.push(check().then((a) => { out.push(a); outstanding--; }));
  }
  await Promise.all(pending);
  return { out, skipped };
}

export function summarise(xs: Answer[], seconds: number) {
  const ok = xs.filter((x) => x.status === 200);
  const refused = xs.filter((x) => x.status === 503 || x.status === 429);
  const other = xs.filter((x) => x.status !== 200 && x.status !== 503 && x.status !== 429);
  return {
    requests: xs.length, perSecond: round(xs.length / seconds), acceptedPerSecond: round(ok.length / seconds),
    accepted: { n: ok.length, p50: pct(ok.map((x) => x.ms), 50), p99: pct(ok.map((x) => x.ms), 99), max: pct(ok.map((x) => x.ms), 100) },
    refused: { n: refused.length, share: +(refused.length / Math.max(1, xs.length)).toFixed(3), p50: pct(refused.map((x) => x.ms), 50), p99: pct(refused.map((x) => x.ms), 99), codes: [...new Set(refused.map((x) => x.code))] },
    other: { n: other.length, statuses: [...new Set(other.map((x) => `${x.status} ${x.code ?? ''}`))] },
  };
}

/** Median of each stage over the accepted answers' timingsMs (null where no answer had the stage). */
export function stageMedians(xs: Answer[], stages: string[]): Record<string, number | null> {
  return Object.fromEntries(stages.map((k) => {
    const v = xs.flatMap((x) => (x.status === 200 && typeof x.timings?.[k] === 'number' ? [x.timings[k]] : []));
    return [k, v.length ? round(median(v), 2) : null];
  }));
}

/** The service's event-loop delay since the last scrape (prom-client resets its histogram on every scrape). */
export async function scrapeLoad(base: string): Promise<{ p50Ms: number | null; p99Ms: number | null; maxMs: number | null }> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text();
  const read = (name: string) => {
    const m = new RegExp(`^biocheck_process_nodejs_eventloop_lag_${name}_seconds (\\S+)`, 'm').exec(text);
    return m ? round(Number(m[1]) * 1000, 1) : null;
  };
  return { p50Ms: read('p50'), p99Ms: read('p99'), maxMs: read('max') };
}

/** User + system CPU of a process so far, ms (Linux /proc). */
export function processCpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch { return 0; }
}

/** Resident memory of a process, MiB (undefined once it has exited). */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch { return undefined; }
}

/**
 * Controls for the service's loop delay on a shared machine: the delay an idle Node process sees (a child that only
 * runs its event loop: the machine's scheduling floor) and the bench client's own (it inflates every latency the
 * client measures). Each read returns p99 and max since the last read.
 */
export interface DelayControls { read(): Promise<{ idleP99Ms: number; idleMaxMs: number; clientP99Ms: number; clientMaxMs: number }>; stop(): void }

export function startDelayControls(): DelayControls {
  const client = monitorEventLoopDelay({ resolution: 10 });
  client.enable();
  const idle = spawn(process.execPath, ['-e', `
    const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }); h.enable();
    require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
      process.stdout.write(JSON.stringify({ p99: h.percentile(99) / 1e6, max: h.max / 1e6 }) + '\\n'); h.reset();
    });`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: idle.stdout! });
  const waiting: ((l: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  return {
    async read() {
      const line = await new Promise<string>((resolve) => { waiting.push(resolve); idle.stdin!.write('\n'); });
      const i = JSON.parse(line) as { p99: number; max: number };
      const out = { idleP99Ms: round(i.p99, 1), idleMaxMs: round(i.max, 1), clientP99Ms: round(client.percentile(99) / 1e6, 1), clientMaxMs: round(client.max / 1e6, 1) };
      client.reset();
      return out;
    },
    stop() { client.disable(); idle.kill(); },
  };
}
