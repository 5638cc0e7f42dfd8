#!/usr/bin/env node
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
// The library in a real browser: serves the repository over HTTP, opens test/browser/index.html in the system
// Chromium (through playwright-core; no browser is downloaded), prints what the page reports and exits non-zero on
// any failure. Then renders the default CLI report and screenshots it to <tmpdir>/dynmem-browser/last-report.png,
// and builds the live demo (demo/) and drives it (test/browser/demo.js; screenshots demo-live.png, demo-scenario.png).
//
//   npm run build && npm run test:browser
//
// Environment: CHROMIUM (default /usr/bin/chromium), BROWSER_TIMEOUT_MS (default 180000).
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { buildDemo } from '../../demo/build.js';
import { checkDemo } from './demo.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT_MS = Number(process.env.BROWSER_TIMEOUT_MS ?? 180_000);
const ARTIFACTS = join(tmpdir(), 'dynmem-browser');
const SCREENSHOT = join(ARTIFACTS, 'last-report.png');
// The default run has no Smart Paging: its report says so in a line of text instead of a chart.
const CHART_IDS = ['chart-assigned', 'chart-available', 'chart-pressure'];
const EXPECTED_SERIES = {
  'chart-assigned': ['Assigned', 'Demand', 'Capacity (memory − reserve)'],
  'chart-available': ['All hosts'],
  // A day: the one-minute average would draw over the current pressure, so it is left out.
  'chart-pressure': ['Current, all hosts'],
};

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  // A .gz file is served as what it is (no Content-Encoding), so the page must gunzip it itself.
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

const passed = [];
const failed = [];
const pass = (name) => {
  passed.push(name);
  console.log(`  ok    ${name}`);
};
const fail = (name, error) => {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  failed.push({ name, error: text });
  console.log(`  FAIL  ${name}\n        ${text.split('\n').join('\n        ')}`);
};

/** A static server over the repository, plus /__report/ and /__replay/ over the CLI's output folders and /__demo/
 * over the built demo. */
function startServer(reportDir, replayDir, demoDir) {
  // /__content-encoded/ serves the repository's .gz files as a server with "AddEncoding gzip .gz" does: as text with
  // Content-Encoding: gzip, so the browser has gunzipped them before the page sees a byte.
  const mounts = [
    ['/__report/', reportDir],
    ['/__replay/', replayDir],
    ['/__demo/', demoDir],
    ['/__content-encoded/', ROOT],
    ['/', ROOT],
  ];
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const pathname = decodeURIComponent(url.pathname);
      if (pathname === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      const [prefix, dir] = mounts.find(([p]) => pathname.startsWith(p));
      let file = resolve(dir, `.${sep}${pathname.slice(prefix.length)}`);
      if (file !== dir && !file.startsWith(dir + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file).catch(() => null);
      if (body === null) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
        return;
      }
      const encoded = prefix === '/__content-encoded/' && file.endsWith('.gz');
      res.writeHead(200, {
        'content-type': encoded
          ? 'text/csv; charset=utf-8'
          : (MIME[extname(file).toLowerCase()] ?? 'application/octet-stream'),
        ...(encoded ? { 'content-encoding': 'gzip' } : {}),
        'content-length': body.length,
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveServer(server));
  });
}

/** Run the CLI's default scenario into `dir` (report.html and friends). */
async function renderCliReport(dir) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'dist/src/cli/main.js'), '--no-progress', '--out', dir],
    { cwd: ROOT, timeout: 120_000 },
  );
  return stdout;
}

/** Replay the hand-written recording of test/fixtures/cli (three VMs, 15 minutes) into `dir`. */
async function renderReplayReport(dir) {
  const fixtures = join(ROOT, 'test/fixtures/cli');
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'dist/src/cli/main.js'), 'replay', 'get-vm.json', 'counters.csv', '--no-progress', '--out', dir],
    { cwd: fixtures, timeout: 120_000 },
  );
}

/** Each chart's size, series (by their titles), envelopes and x-axis label, as laid out in the page. */
function chartLayout(ids) {
  return Object.fromEntries(
    ids.map((id) => {
      const el = document.getElementById(id);
      if (!el) return [id, null];
      const box = el.getBoundingClientRect();
      return [
        id,
        {
          width: Math.round(box.width),
          height: Math.round(box.height),
          series: [...el.querySelectorAll('path.series > title')].map((t) => t.textContent),
          envelopes: [...el.querySelectorAll('path.envelope > title')].map((t) => t.textContent),
          xLabel: [...el.querySelectorAll('text')].map((t) => t.textContent).find((t) => / \(.*\)$/.test(t)) ?? null,
        },
      ];
    }),
  );
}

/** The same trace scenario as the page's, in Node (files from disk), to compare with the browser's fetch + gunzip. */
async function nodeSimulation() {
  const lib = await import(pathToFileURL(join(ROOT, 'dist/src/index.js')).href);
  const scenario = {
    name: 'browser trace (wasm)',
    engine: 'wasm',
    duration: '2h',
    sampleInterval: 300,
    hosts: [{ name: 'h1', memoryMB: 16384, reserveMB: 1024 }],
    vms: [
      {
        name: 'bitbrains-1',
        trace: 'data/bitbrains-sample/1.csv.gz',
        startupMB: 1024,
        minimumMB: 512,
        maximumMB: 8192,
      },
      { name: 'flat', demandMB: 700, startupMB: 1024, minimumMB: 256, maximumMB: 4096 },
    ],
  };
  const { summary, series } = await lib.simulate(scenario, { baseDir: ROOT });
  return { summary, series };
}

/** Summary and series without what legitimately differs between runs (wall time) and loaders (file names). */
function comparable({ summary, series }) {
  const { wallSeconds: _w, traces, ...rest } = summary;
  return {
    summary: { ...rest, traces: { ...traces, repaired: traces.repaired.map(({ file: _f, ...r }) => r) } },
    series,
  };
}

function firstDifference(a, b, path = '$') {
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(key in a) || !(key in b)) return `${path}.${key}: present on one side only`;
    const d = firstDifference(a[key], b[key], `${path}.${key}`);
    if (d) return d;
  }
  return null;
}

function watch(page, label, pageErrors) {
  page.on('pageerror', (error) => pageErrors.push(`${label}: ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      console.log(`  [${label} console.${message.type()}] ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) console.log(`  [${label} HTTP ${response.status()}] ${response.url()}`);
  });
  page.on('requestfailed', (request) =>
    console.log(`  [${label} request failed] ${request.url()}: ${request.failure()?.errorText}`),
  );
}

async function main() {
  for (const built of ['dist/src/index.js', 'dist/src/cli/main.js', 'build/release.wasm']) {
    if (!existsSync(join(ROOT, built))) {
      console.error(`${built} is missing: run "npm run build" first.`);
      return 2;
    }
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`No Chromium at ${CHROMIUM} (set CHROMIUM to its path).`);
    return 2;
  }

  const reportDir = await mkdtemp(join(tmpdir(), 'dynmem-cli-report-'));
  const replayDir = join(await mkdtemp(join(tmpdir(), 'dynmem-cli-replay-')), 'out');
  let server;
  let browser;
  const hardStop = setTimeout(() => {
    console.error(`Timed out after ${TIMEOUT_MS} ms.`);
    browser?.close().catch(() => {});
    server?.close();
    process.exit(1);
  }, TIMEOUT_MS);
  hardStop.unref();

  try {
    console.log('CLI default report:');
    try {
      const out = await renderCliReport(reportDir);
      console.log(
        out
          .trimEnd()
          .split('\n')
          .map((l) => `  | ${l}`)
          .join('\n'),
      );
    } catch (error) {
      fail('CLI default report (node dist/src/cli/main.js --no-progress --out <tmp>)', error);
    }

    try {
      await renderReplayReport(replayDir);
    } catch (error) {
      fail('CLI replay report (dynmem replay get-vm.json counters.csv --out <tmp>)', error);
    }

    let demoDir = join(reportDir, '.demo');
    try {
      demoDir = await buildDemo(demoDir);
    } catch (error) {
      fail('demo build (demo/build.js)', error);
    }
    server = await startServer(reportDir, replayDir, demoDir);
    const origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    console.log(`Chromium ${browser.version()}, serving ${ROOT} at ${origin}`);

    // 1. The suite page.
    const pageErrors = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    watch(page, 'suite', pageErrors);
    console.log('\nBrowser suite (test/browser/index.html):');
    await page.goto(`${origin}/test/browser/index.html`);
    await page.waitForFunction(() => window.__done === true, null, { timeout: TIMEOUT_MS - 30_000 });
    const results = await page.evaluate(() => window.__results);
    for (const name of results.passed) pass(name);
    for (const { name, error } of results.failed) fail(name, error);
    console.log(
      `  chart sizes in the iframe: ${JSON.stringify(await page.evaluate(() => window.__chartSizes ?? null))}`,
    );

    // 2. The browser's fetch + DecompressionStream loader against Node's file loader on the same scenario.
    const name = 'node (files) and browser (fetch + DecompressionStream) simulate the same trace identically';
    try {
      const inBrowser = await page.evaluate(async () => {
        const lib = await import('/dist/src/index.js');
        const { summary, series } = await lib.simulate({
          name: 'browser trace (wasm)',
          engine: 'wasm',
          duration: '2h',
          sampleInterval: 300,
          hosts: [{ name: 'h1', memoryMB: 16384, reserveMB: 1024 }],
          vms: [
            {
              name: 'bitbrains-1',
              trace: '/data/bitbrains-sample/1.csv.gz',
              startupMB: 1024,
              minimumMB: 512,
              maximumMB: 8192,
            },
            { name: 'flat', demandMB: 700, startupMB: 1024, minimumMB: 256, maximumMB: 4096 },
          ],
        });
        return { summary, series };
      });
      const d = firstDifference(comparable(inBrowser), comparable(await nodeSimulation()));
      if (d) throw new Error(`differ at ${d}`);
      pass(name);
    } catch (error) {
      fail(name, error);
    }
    for (const error of pageErrors) fail('uncaught error in the suite page', error);
    await page.close();

    // 3. The CLI's report, as a person opens it.
    console.log('\nCLI report in the browser:');
    if (existsSync(join(reportDir, 'report.html'))) {
      const reportErrors = [];
      const report = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      watch(report, 'report', reportErrors);
      const requests = [];
      report.on('request', (r) => requests.push(r.url()));
      await report.goto(`${origin}/__report/report.html`, { waitUntil: 'load' });
      const sizes = await report.evaluate(
        (ids) =>
          Object.fromEntries(
            ids.map((id) => {
              const el = document.getElementById(id);
              if (!el) return [id, null];
              const box = el.getBoundingClientRect();
              return [
                id,
                {
                  width: Math.round(box.width),
                  height: Math.round(box.height),
                  lines: el.querySelectorAll('path.series').length,
                  series: [...el.querySelectorAll('path.series > title')].map((t) => t.textContent),
                },
              ];
            }),
          ),
        CHART_IDS,
      );
      for (const id of CHART_IDS) {
        const s = sizes[id];
        const wanted = EXPECTED_SERIES[id];
        if (s && s.width > 0 && s.height > 0 && JSON.stringify(s.series) === JSON.stringify(wanted))
          pass(`report.html #${id} rendered ${s.width}×${s.height}, series ${s.series.join(', ')}`);
        else
          fail(
            `report.html #${id}`,
            `missing, not laid out or not the series ${JSON.stringify(wanted)}: ${JSON.stringify(s)}`,
          );
      }
      const ranges = await report.evaluate(chartLayout, ['chart-assigned', 'chart-pressure']);
      const wantedRanges = {
        'chart-assigned': ['Assigned, least to most between samples'],
        'chart-pressure': ['Current, least to most between samples'],
      };
      if (
        JSON.stringify(Object.values(ranges).map((c) => c?.envelopes)) === JSON.stringify(Object.values(wantedRanges))
      )
        pass('report.html shades the ranges between samples (assigned memory, pressure)');
      else fail('report.html ranges between samples', JSON.stringify(ranges));
      const empty = await report.evaluate(() => document.getElementById('chart-smart-paging-empty')?.textContent);
      if (empty === 'No Smart Paging during the run.')
        pass('report.html says in one line that there was no Smart Paging');
      else fail('report.html Smart Paging line', `got ${JSON.stringify(empty)}`);
      const headline = await report.evaluate(() =>
        [...document.querySelectorAll('.headline .big')].map((e) => Number.parseFloat(getComputedStyle(e).fontSize)),
      );
      if (headline.length === 4 && headline.every((px) => px >= 24))
        pass(`report.html headline: 4 figures at ${headline[0]}px`);
      else fail('report.html headline', JSON.stringify(headline));
      const external = requests.filter((u) => !u.endsWith('/__report/report.html'));
      if (external.length === 0) pass('report.html fetches nothing beyond itself');
      else fail('report.html fetches nothing beyond itself', external.join('\n'));
      for (const error of reportErrors) fail('uncaught error in report.html', error);
      await mkdir(ARTIFACTS, { recursive: true });
      await report.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`  screenshot: ${SCREENSHOT}`);
      await report.close();
    }

    // 4. A replay's report: simulated against recorded memory, per VM, on the recording's clock.
    console.log('\nReplay report in the browser:');
    if (existsSync(join(replayDir, 'report.html'))) {
      const replayErrors = [];
      const replayPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      watch(replayPage, 'replay', replayErrors);
      await replayPage.goto(`${origin}/__replay/report.html`, { waitUntil: 'load' });
      const ids = ['chart-replay-1', 'chart-replay-2', 'chart-replay-3'];
      const layout = await replayPage.evaluate(chartLayout, ids);
      const wanted = ['Recorded (Hyper-V)', 'Simulated (dynmem)', 'Demand'];
      for (const id of ids) {
        const c = layout[id];
        if (
          c &&
          c.width > 0 &&
          c.height > 0 &&
          JSON.stringify(c.series) === JSON.stringify(wanted) &&
          c.xLabel === 'Recording time (W. Europe Standard Time, Apr 2, 2025)'
        )
          pass(`replay report #${id} rendered ${c.width}×${c.height}, series ${c.series.join(', ')}; ${c.xLabel}`);
        else
          fail(
            `replay report #${id}`,
            `not the series ${JSON.stringify(wanted)} on the recording's clock: ${JSON.stringify(c)}`,
          );
      }
      const note = await replayPage.evaluate(() => document.getElementById('replay-charts-note')?.textContent);
      if (note?.startsWith('All 3 VMs, largest mean |error| first.')) pass(`replay report says which VMs: ${note}`);
      else fail('replay report note', JSON.stringify(note));
      for (const error of replayErrors) fail('uncaught error in the replay report', error);
      await mkdir(ARTIFACTS, { recursive: true });
      await replayPage.screenshot({ path: join(ARTIFACTS, 'last-replay.png'), fullPage: true });
      console.log(`  screenshot: ${join(ARTIFACTS, 'last-replay.png')}`);
      await replayPage.close();
    }

    // 5. The runnable browser example (examples/browser), as its comment says to open it.
    console.log('\nBrowser example:');
    const exampleErrors = [];
    const example = await browser.newPage();
    watch(example, 'example', exampleErrors);
    await example.goto(`${origin}/examples/browser/index.html`);
    await example.waitForSelector('body[data-done="true"]', { timeout: 30_000 });
    const rows = await example.evaluate(() =>
      [...document.querySelectorAll('#vms tr')].slice(1).map((tr) => [...tr.cells].map((c) => c.textContent)),
    );
    const available = await example.evaluate(() => document.getElementById('available')?.textContent ?? '');
    // web wants 1,000 MB + 20 % and db 6,000 MB + 20 % of 16,384 MB less the reserve: both get their targets.
    if (
      JSON.stringify(rows.map((r) => [r[0], r[1], r[2]])) ===
        JSON.stringify([
          ['web', '1000', '1200'],
          ['db', '6000', '7200'],
        ]) &&
      /^Available memory: \d+ MB \(wasm engine\)$/.test(available)
    )
      pass(`examples/browser: ${rows.map((r) => `${r[0]} ${r[2]} MB`).join(', ')}; ${available}`);
    else fail('examples/browser', JSON.stringify({ rows, available }));
    for (const error of exampleErrors) fail('uncaught error in examples/browser', error);
    await example.close();

    // 6. The live demo (demo/), built above.
    console.log('\nLive demo:');
    await checkDemo({
      root: ROOT,
      browser,
      demoDir,
      demoUrl: `${origin}/__demo/`,
      cliReport: join(reportDir, 'report.html'),
      artifacts: ARTIFACTS,
      pass,
      fail,
      watch,
    });
  } catch (error) {
    fail('runner', error);
  } finally {
    await browser?.close().catch(() => {});
    await new Promise((r) => (server ? server.close(() => r()) : r()));
    await rm(reportDir, { recursive: true, force: true });
    await rm(dirname(replayDir), { recursive: true, force: true });
    clearTimeout(hardStop);
  }

  console.log(`\n${passed.length} passed, ${failed.length} failed`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
