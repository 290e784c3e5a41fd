/**
 * npm run bench:web — issue #6's budgets for the web app, measured and printed (no assertions):
 *   1. JavaScript of the first load, gzip: the entry chunk and every chunk it imports statically,
 *      from Vite's build manifest, plus the boot script and the reader's translations it asks for
 *      (lazy screens are not counted; they load when opened), and what opening the incident form adds.
 *   2. Time to interactive under Chromium's emulation of a slow 4G link (562.5 ms RTT, 1.47 Mbit/s
 *      down, 675 kbit/s up: Lighthouse's "slow 4G") with the CPU slowed 4×, cold cache: the login
 *      screen, and the incident form of a signed-in monitor.
 *   3. The incident list with 10,000 rows loaded, scrolled top to bottom one step per frame: frame
 *      times and long tasks (> 50 ms), at full speed and with the CPU slowed 4×.
 * TTI here: the moment the screen's controls are on the page, pushed later by any long task until
 * 500 ms pass without one (Lighthouse waits 5 s of quiet; on this screen nothing runs after load).
 * Environment: BENCH_ROWS (default 10000), TUTELA_WEB_DIST (the build to measure; built if stale),
 * BENCH_ONLY=tti|list (one part only), BENCH_WATERFALL=1 (print the form load's requests: start, end, size).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, CDPSession, Page, Request } from 'playwright-core';
import { auth, incidentBody, newMission, PASSWORD, totpCodeFor, type Mission } from '../test/support/fixtures.ts';
import { ensureWebBuild, launchBrowser, logInThroughUi, startWebServer, type WebServer } from '../test/support/web.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const ONLY = process.env.BENCH_ONLY ?? '';
const WATERFALL = process.env.BENCH_WATERFALL === '1';
const repoRoot = path.resolve(import.meta.dirname, '..');
const dist = process.env.TUTELA_WEB_DIST ? path.resolve(process.env.TUTELA_WEB_DIST) : path.join(repoRoot, 'web/dist');
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n: number) => `${Math.round(n)} ms`;
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

interface ManifestChunk { file: string; isEntry?: boolean; imports?: string[]; css?: string[] }

function firstLoadBudget(): void {
  ensureWebBuild();
  const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry && k.endsWith('.html')) ?? Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  const seen = new Set<string>();
  const visit = (key: string) => { if (seen.has(key)) return; seen.add(key); for (const i of manifest[key]!.imports ?? []) visit(i); };
  visit(entryKey);
  let js = 0;
  let css = 0;
  console.log('1. First-load JavaScript (entry + static imports), gzip level 9:');
  for (const key of seen) {
    const chunk = manifest[key]!;
    const size = gzipSync(fs.readFileSync(path.join(dist, chunk.file)), { level: 9 }).length;
    js += size;
    console.log(`   ${chunk.file.padEnd(44)} ${kb(size).padStart(10)}`);
    for (const c of chunk.css ?? []) css += gzipSync(fs.readFileSync(path.join(dist, c)), { level: 9 }).length;
  }
  // What the page's boot script (web/src/entry/boot.ts) adds: itself, the reader's language (en here), and on
  // the incident form's path that screen's chunks, all fetched beside the entry rather than after it.
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const bootFile = /<script src="\/(assets\/boot-[^"]+\.js)"><\/script>/.exec(html)?.[1];
  const hints = JSON.parse(/<script type="application\/json" id="tutela-boot">([^<]*)<\/script>/.exec(html)?.[1] ?? '{}') as { routes?: Record<string, string[]>; languages?: Record<string, string[]> };
  const gz = (file: string) => gzipSync(fs.readFileSync(path.join(dist, file.replace(/^\//, ''))), { level: 9 }).length;
  const extra = (label: string, files: string[]) => {
    const size = files.reduce((sum, f) => sum + gz(f), 0);
    console.log(`   + ${label.padEnd(40)} ${kb(size).padStart(10)}  (${files.map((f) => path.basename(f)).join(', ') || 'none'})`);
    return size;
  };
  const withBoot = js + (bootFile ? extra('boot script', [bootFile]) : 0) + extra('translations (en)', hints.languages?.en ?? []);
  console.log(`   total JavaScript ${kb(withBoot)} gzip (budget 250 KB: ${withBoot <= 250 * 1024 ? 'within' : 'OVER'}); CSS ${kb(css)} gzip`);
  const form = withBoot + extra('incident form screen (/incidents/new)', hints.routes?.['/incidents/new'] ?? []);
  console.log(`   opening /incidents/new directly: ${kb(form)} gzip`);
}

async function throttle(cdp: CDPSession, cpu: number, network: boolean): Promise<void> {
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', network
    ? { offline: false, latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 }
    : { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
}

/** Long tasks from the start of every document, read back by `interactiveAt`. */
const LONG_TASK_RECORDER = `
  window.__longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
`;

async function interactiveAt(page: Page, selector: string): Promise<{ ready: number; tti: number; longTasks: number }> {
  const handle = await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return el && !(el as HTMLInputElement).disabled ? performance.now() : null;
  }, selector, { timeout: 60_000, polling: 'raf' });
  const ready = (await handle.jsonValue()) as number;
  await page.waitForTimeout(1500);
  return page.evaluate((readyAt) => {
    const tasks = ((window as unknown as { __longTasks: [number, number][] }).__longTasks).slice().sort((a, b) => a[0] - b[0]);
    let t = readyAt;
    for (const [start, duration] of tasks) if (start < t + 500 && start + duration > t) t = start + duration;
    return { ready: readyAt, tti: t, longTasks: tasks.length };
  }, ready);
}

async function main(): Promise<void> {
  console.log(`bench:web on ${os.cpus().length} CPUs, load ${load()}`);
  firstLoadBudget();

  const server = await startWebServer();
  const m = await newMission(server.store, server.app);
  const browser = await launchBrowser();
  try {
    if (ONLY !== 'list') await timeToInteractive(browser, server.url, m);
    if (ONLY !== 'tti') await listScroll(browser, server, m);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** 2. Time to interactive, cold cache, slow 4G, CPU 4×. */
async function timeToInteractive(browser: Browser, url: string, m: Mission): Promise<void> {
  console.log('2. Time to interactive, slow 4G + CPU 4× slower, cold cache:');
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'en-GB', serviceWorkers: 'block' });
  await context.addInitScript(LONG_TASK_RECORDER);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await throttle(cdp, 4, true);
  await page.goto(`${url}/`, { waitUntil: 'commit' });
  const login = await interactiveAt(page, 'form input[name=username]');
  console.log(`   login screen      controls at ${ms(login.ready)}, interactive at ${ms(login.tti)} (${login.longTasks} long tasks)`);
  await throttle(cdp, 1, false);
  await logInThroughUi(page, m.usernames.monitor, PASSWORD, () => totpCodeFor(m.usernames.monitor));
  await throttle(cdp, 4, true);
  // A reload keeps the tab's session (sessionStorage) and, with the cache disabled, fetches everything again.
  const requests: { url: string; start: number; end: number; bytes: number }[] = [];
  const navigationStart = Date.now();
  const onFinished = async (r: Request) => {
    const timing = r.timing();
    const sizes = await r.sizes().catch(() => ({ responseBodySize: 0, responseHeadersSize: 0 }));
    requests.push({ url: r.url().replace(url, ''), start: timing.startTime - navigationStart, end: timing.startTime - navigationStart + timing.responseEnd, bytes: sizes.responseBodySize + sizes.responseHeadersSize });
  };
  if (WATERFALL) page.on('requestfinished', (r) => void onFinished(r));
  await page.goto(`${url}/incidents/new`, { waitUntil: 'commit' });
  const form = await interactiveAt(page, 'form.incident-form select[name=area-level-1] option:nth-child(2)');
  if (WATERFALL) {
    for (const r of requests.sort((a, b) => a.start - b.start)) console.log(`     ${ms(r.start).padStart(8)} → ${ms(r.end).padStart(8)} ${kb(r.bytes).padStart(9)}  ${r.url}`);
  }
  console.log(`   incident form     controls at ${ms(form.ready)}, interactive at ${ms(form.tti)} (${form.longTasks} long tasks; budget 3000 ms: ${form.tti < 3000 ? 'within' : 'OVER'})`);
  console.log(`   (load ${load()})`);
  await context.close();
}

/** 3. 10,000 rows. */
async function listScroll(browser: Browser, server: WebServer, m: Mission): Promise<void> {
  const started = performance.now();
  const body = incidentBody(m);
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < ROWS) {
      const i = next++;
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor),
        payload: { ...body, first_reported_on: null, title: `Bench incident ${i}`, date: { start: `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`, precision: 'day' } } });
      if (res.statusCode !== 201) throw new Error(`seed ${i}: ${res.statusCode} ${res.body}`);
    }
  }));
  console.log(`3. ${ROWS.toLocaleString('en')} incidents seeded in ${((performance.now() - started) / 1000).toFixed(1)} s; the list, scrolled top to bottom:`);
  const listContext = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-GB', serviceWorkers: 'block' });
  await listContext.addInitScript(LONG_TASK_RECORDER);
  const listPage = await listContext.newPage();
  const listCdp = await listContext.newCDPSession(listPage);
  await listPage.goto(`${server.url}/`);
  await logInThroughUi(listPage, m.usernames.monitor, PASSWORD, () => totpCodeFor(m.usernames.monitor));
  await listPage.goto(`${server.url}/incidents`);
  await listPage.locator('.vtable-row[data-index="0"]').waitFor();
  // Load every page first (the list fetches the next page near its end), so the pass measures scrolling alone.
  const loadStart = performance.now();
  await listPage.waitForFunction((n) => {
    const el = document.querySelector('.vtable-scroll');
    if (!el) return false;
    el.scrollTop = el.scrollHeight;
    return Number(el.getAttribute('aria-rowcount')) - 1 >= n;
  }, ROWS, { timeout: 600_000, polling: 100 });
  console.log(`   all rows loaded by scrolling in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
  await listCdp.send('Performance.enable');
  const mainThread = async () => Object.fromEntries((await listCdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
  for (const cpu of [1, 4]) {
    await throttle(listCdp, cpu, false);
    const before = await mainThread();
    // Passed as source text: tsx would otherwise wrap the page function's inner helpers in a `__name` the page lacks.
    const r = await listPage.evaluate<{ frames: number; p50: number; p95: number; max: number; longTasks: number; longest: number; rows: number }>(`(async () => {
      const el = document.querySelector('.vtable-scroll');
      el.scrollTop = 0;
      await new Promise((res) => setTimeout(res, 300));
      const tasks = window.__longTasks;
      const from = performance.now();
      const frames = [];
      let last = from;
      // One viewport-height step every frame: a fast fling, harsher than a finger.
      while (el.scrollTop + el.clientHeight < el.scrollHeight - 1) {
        el.scrollTop += el.clientHeight;
        const now = await new Promise((res) => requestAnimationFrame(res));
        frames.push(now - last);
        last = now;
      }
      await new Promise((res) => setTimeout(res, 200));
      const during = tasks.filter((t) => t[0] >= from);
      frames.sort((a, b) => a - b);
      const at = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))] || 0;
      return { frames: frames.length, p50: at(0.5), p95: at(0.95), max: frames[frames.length - 1] || 0, longTasks: during.length,
        longest: Math.max(0, ...during.map((t) => t[1])), rows: document.querySelectorAll('.vtable-body .vtable-row').length };
    })()`);
    const after = await mainThread();
    // The renderer's own busy time (seconds in the metrics), less sensitive than frame times to a loaded machine.
    const busy = (k: string) => `${Math.round(((after[k] ?? 0) - (before[k] ?? 0)) * 1000)} ms`;
    console.log(`   CPU ${cpu}×: main thread busy ${busy('TaskDuration')} (script ${busy('ScriptDuration')}, style ${busy('RecalcStyleDuration')}, layout ${busy('LayoutDuration')}) over the pass`);
    console.log(`   CPU ${cpu}×: ${r.frames} frames, frame time p50 ${ms(r.p50)}, p95 ${ms(r.p95)}, max ${ms(r.max)}; long tasks > 50 ms: ${r.longTasks}${r.longTasks ? ` (longest ${ms(r.longest)})` : ''}; rows in the DOM: ${r.rows}`);
  }
  console.log(`   (load ${load()})`);
  await listContext.close();
}

await main();
