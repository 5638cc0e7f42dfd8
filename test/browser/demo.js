// The live demo (demo/) in Chromium, driven as a person would: its build within the download budget, the page
// loading cleanly from its own origin only, and every interaction changing what the page shows by the library's
// rules (expected values computed by hand below). Called by run.js with the built demo served at `demoUrl`.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DOWNLOAD_BUDGET_BYTES, downloadSizes, sizeTable } from '../../demo/build.js';

/** The default report's charts and their series, as run.js checks them on the CLI's report. */
const REPORT_SERIES = {
  'chart-assigned': ['Assigned', 'Demand', 'Capacity (memory − reserve)'],
  'chart-available': ['All hosts'],
  // A day: the one-minute average would draw over the current pressure, so the report leaves it out.
  'chart-pressure': ['Current, all hosts'],
};

/** The report without the one line that differs between two runs of the same scenario: the wall time. */
const withoutWallTime = (html) => html.replace(/(<dt>Computed in<\/dt><dd>)[^<]*/, '$1…');

export async function checkDemo({ root, browser, demoDir, demoUrl, cliReport, artifacts, pass, fail, watch }) {
  const { createHost, parseTraceText, simulate } = await import(pathToFileURL(join(root, 'dist/src/index.js')).href);
  const { formatDuration } = await import(pathToFileURL(join(root, 'dist/src/report/index.js')).href);
  const check = async (name, body) => {
    try {
      const detail = await body();
      pass(detail ? `${name}: ${detail}` : name);
    } catch (error) {
      fail(name, error);
    }
  };

  await check('demo download within budget', async () => {
    const sizes = await downloadSizes(demoDir);
    const total = sizes.reduce((sum, s) => sum + s.gzipBytes, 0);
    console.log(sizeTable(sizes));
    if (total > DOWNLOAD_BUDGET_BYTES) throw new Error(`${total} bytes gzipped > ${DOWNLOAD_BUDGET_BYTES}`);
    return `${(total / 1000).toFixed(1)} KB gzipped ≤ ${DOWNLOAD_BUDGET_BYTES / 1000} KB`;
  });

  const pageErrors = [];
  const consoleErrors = [];
  const requests = [];
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  watch(page, 'demo', pageErrors);
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('request', (r) => requests.push({ url: r.url(), frame: r.frame() }));
  // The scenario worker's fetches (the traces) reach page.on('request') too; its console errors are caught here.
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text())));
  const origin = new URL(demoUrl).origin;
  const text = (selector) => page.locator(selector).first().textContent();
  const number = async (selector) => Number((await text(selector)).replaceAll(',', ''));
  const row = (vm) => `#vm-table tr[data-vm="${vm}"]`;
  const advance = async (seconds) => {
    for (let s = 0; s < seconds; s += 10) await page.click('#step');
  };
  const reportFrame = () => page.frames().find((f) => f.parentFrame() === page.mainFrame());
  const json = (value) => Buffer.from(JSON.stringify(value));
  /** Choose files in the scenario tab (as a drop would give them) and wait for the run's end. */
  const runFiles = async (files, outcome = 'done') => {
    await page.evaluate(() => delete document.body.dataset.run);
    await page.setInputFiles('#file-input', files);
    await page.waitForSelector('body[data-run="done"], body[data-run="error"]', { timeout: 30_000 });
    const got = await page.getAttribute('body', 'data-run');
    if (got !== outcome) throw new Error(`run ended ${got}: ${await text('#run-error')}`);
  };
  const addVm = async (settings) => {
    for (const [field, value] of Object.entries(settings))
      await page.fill(`#add-form [name="${field}"]`, String(value));
    await page.click('#add-form button[type="submit"]');
  };

  await mkdir(artifacts, { recursive: true });
  try {
    await page.goto(demoUrl);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });

    await check('demo: the live host runs on its own (the simulated clock moves)', async () => {
      const before = await text('#clock');
      await page.waitForFunction((t) => document.getElementById('clock').textContent !== t, before, {
        timeout: 5_000,
      });
      await page.click('#run-toggle'); // paused from here on: each "Advance 10 s" is exactly 10 ticks
      if ((await text('#run-toggle')) !== 'Run') throw new Error('did not pause');
      return `${before} → ${await text('#clock')}, then paused`;
    });

    await check('demo: adding a VM adds it to the table and the charts; a refused one is not added', async () => {
      // An odd startup RAM: the page shows what the library says, and adds nothing.
      const odd = { name: 'odd', startupMB: 1023, minimumMB: 512, maximumMB: 4096 };
      await addVm(odd);
      const refusal = await text('#add-message');
      const host = await createHost({ memoryMB: 16384 });
      const expected = (() => {
        try {
          host.addVm(odd);
          return 'no error';
        } catch (error) {
          return error.message;
        }
      })();
      if (refusal !== expected || (await page.locator(row('odd')).count()) !== 0)
        throw new Error(`refusal ${JSON.stringify(refusal)}, expected ${JSON.stringify(expected)}`);
      await addVm({ name: 'test-vm', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      await page.waitForSelector(row('test-vm'));
      const series = await page.$$eval('#chart-live-assigned path.series > title', (ts) =>
        ts.map((t) => t.textContent),
      );
      for (const wanted of ['test-vm', 'test-vm demand'])
        if (!series.includes(wanted)) throw new Error(`chart series ${JSON.stringify(series)} lack ${wanted}`);
      const state = await text(`${row('test-vm')} .state`);
      if (!state.startsWith('Starting')) throw new Error(`state ${state}`);
      return `row and chart lines for test-vm (${state}); "${refusal}"`;
    });

    await check('demo: dragging a demand slider changes the assigned memory after ticks', async () => {
      await advance(40); // past the 30 s boot: with no demand the VM is at its 512 MB minimum
      const before = await number(`${row('test-vm')} .assigned`);
      if (before !== 512) throw new Error(`assigned ${before} MB before the drag, not the 512 MB minimum`);
      const box = await page.locator(`${row('test-vm')} input[type="range"]`).boundingBox();
      await page.mouse.move(box.x + 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      const demand = await number(`${row('test-vm')} .demand output`);
      if (!(demand > 1000 && demand < 4096)) throw new Error(`demand ${demand} MB after dragging to 60 %`);
      await advance(20);
      // Demand + the 20 % buffer, rounded up to whole MB; the host has room, so hot-add gives it all at once.
      const wanted = Math.min(4096, Math.ceil(demand * 1.2));
      const after = await number(`${row('test-vm')} .assigned`);
      if (after !== wanted) throw new Error(`assigned ${after} MB for demand ${demand} MB, expected ${wanted}`);
      return `demand ${demand} MB: assigned 512 → ${after} MB`;
    });

    await check('demo: a setting refused by the runtime rules shows the error and changes nothing', async () => {
      const settingsBefore = await text(`${row('db')} .settings`);
      await page.selectOption('#settings-form [name="vm"]', 'db');
      await page.selectOption('#settings-form [name="field"]', 'startupMB');
      await page.fill('#settings-form [name="value"]', '8192');
      await page.click('#settings-form button[type="submit"]');
      const message = await text('#settings-message');
      const role = await page.getAttribute('#settings-message', 'role');
      if (message !== "VM 'db': startupMB can only change while the VM is off." || role !== 'alert')
        throw new Error(`message ${JSON.stringify(message)} (role ${role})`);
      const settingsAfter = await text(`${row('db')} .settings`);
      if (settingsAfter !== settingsBefore) throw new Error(`settings ${settingsBefore} → ${settingsAfter}`);
      // An allowed change (raising a running VM's maximum) goes through.
      await page.selectOption('#settings-form [name="field"]', 'maximumMB');
      await page.fill('#settings-form [name="value"]', '16384');
      await page.click('#settings-form button[type="submit"]');
      const raised = await text(`${row('db')} .settings`);
      if (raised !== '4,096 / 1,024 / 16,384') throw new Error(`after raising the maximum: ${raised}`);
      // A host size the library refuses: its message, and the host with its VMs as it was.
      const rows = await page.locator('#vm-table tbody tr').count();
      await page.fill('#host-form [name="memoryMB"]', '32');
      await page.click('#host-form button[type="submit"]');
      const hostMessage = await text('#host-message');
      const expected = await createHost({ memoryMB: 32 }).then(
        () => 'no error',
        (error) => error.message,
      );
      if (hostMessage !== expected || (await page.locator('#vm-table tbody tr').count()) !== rows)
        throw new Error(`host refusal ${JSON.stringify(hostMessage)}, expected ${JSON.stringify(expected)}`);
      return `"${message}"; then maximum raised: ${raised}; "${hostMessage}"`;
    });

    await check(
      'demo: restarting a VM on a host short of memory shows Smart Paging; stopping one frees memory',
      async () => {
        // An 8,192 MB host keeps 896 MB for itself: 7,296 MB for VMs. "a" boots with 2,048 MB and, with no demand,
        // shrinks to its 512 MB minimum; "b" and "c" then take the 6,784 MB left at their fixed 3,392 MB minimums.
        await page.fill('#host-form [name="memoryMB"]', '8192');
        await page.click('#host-form button[type="submit"]');
        await page.waitForFunction(() => document.querySelectorAll('#vm-table tbody tr').length === 0);
        await addVm({ name: 'a', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
        await advance(40);
        await addVm({ name: 'b', startupMB: 3392, minimumMB: 3392, maximumMB: 8192 });
        await addVm({ name: 'c', startupMB: 3392, minimumMB: 3392, maximumMB: 8192 });
        await advance(40);
        const free = Number(await page.getAttribute('#host-info', 'data-available-mb'));
        if (free !== 0) throw new Error(`available ${free} MB before the restart, expected 0`);
        // Restarting "a" needs 2,048 MB: it holds 512, nothing is free, nothing can be reclaimed → 1,536 MB paged.
        await page.click(`${row('a')} button[data-action="restart"]`);
        await page.click('#step');
        const paging = await number(`${row('a')} .smart-paging`);
        const status = await text(`${row('a')} .status`);
        if (paging !== 1536 || status !== 'Paging') throw new Error(`Smart Paging ${paging} MB, status ${status}`);
        const chart = await page.$$eval('#chart-live-smart-paging path.series > title', (ts) =>
          ts.map((t) => t.textContent),
        );
        if (!chart.includes('Host')) throw new Error(`Smart Paging chart series ${JSON.stringify(chart)}`);
        // Stopping "b" gives its 3,392 MB back at once.
        await page.click(`${row('b')} button[data-action="stop"]`);
        const freed = Number(await page.getAttribute('#host-info', 'data-available-mb'));
        const state = await text(`${row('b')} .state`);
        if (freed !== 3392 || state !== 'Off') throw new Error(`after stopping b: available ${freed} MB, b ${state}`);
        return `a: ${paging} MB in Smart Paging (${status}); stopping b: available 0 → ${freed} MB`;
      },
    );

    await page.screenshot({ path: join(artifacts, 'demo-live.png'), fullPage: true });
    await check('demo: the tabs answer the arrow keys', async () => {
      await page.focus('#tab-live');
      await page.keyboard.press('ArrowRight');
      const visible = await page.isVisible('#panel-scenario');
      const focused = await page.evaluate(() => document.activeElement?.id);
      if (!visible || focused !== 'tab-scenario') throw new Error(`scenario panel ${visible}, focus on ${focused}`);
    });

    await check('demo: the scenario tab runs the bundled sample with progress and shows the CLI report', async () => {
      // Every state the status and the bar go through, recorded in the page as they change.
      await page.evaluate(() => {
        window.__progress = [];
        const bar = document.getElementById('run-progress');
        new MutationObserver(() => window.__progress.push(bar.getAttribute('value'))).observe(bar, {
          attributes: true,
        });
      });
      await page.click('#run-sample');
      await page.waitForSelector('body[data-run="done"], body[data-run="error"]', { timeout: 30_000 });
      if ((await page.getAttribute('body', 'data-run')) === 'error') throw new Error(await text('#run-error'));
      const steps = await page.evaluate(() => window.__progress.filter((v) => v !== null).map(Number));
      const between = steps.filter((v) => v > 0 && v < 1);
      if (between.length < 3 || steps.at(-1) !== 1) throw new Error(`progress values ${JSON.stringify(steps)}`);
      const series = await reportFrame().evaluate((ids) => {
        const of = (id) => [...document.querySelectorAll(`#${id} path.series > title`)].map((t) => t.textContent);
        return Object.fromEntries(ids.map((id) => [id, of(id)]));
      }, Object.keys(REPORT_SERIES));
      if (JSON.stringify(series) !== JSON.stringify(REPORT_SERIES))
        throw new Error(`report series ${JSON.stringify(series)}`);
      const srcdoc = await page.getAttribute('#report', 'srcdoc');
      const cli = await readFile(cliReport, 'utf8');
      if (withoutWallTime(srcdoc) !== withoutWallTime(cli))
        throw new Error('the report differs from the CLI report.html of the same scenario');
      await page.screenshot({ path: join(artifacts, 'demo-scenario.png') });
      return `${between.length} progress steps; the report equals the CLI's report.html (wall time aside)`;
    });

    await check('demo: dropped Bitbrains traces run on the built-in host for as long as the longest', async () => {
      const files = ['1.csv.gz', '2.csv.gz'].map((name) => join(root, 'data/bitbrains-sample', name));
      await runFiles(files);
      // The longest trace's last sample, in whole 300 s steps.
      let span = 0;
      for (const file of files)
        for (const trace of parseTraceText(gunzipSync(await readFile(file)).toString(), file))
          span = Math.max(span, trace.times.at(-1));
      const simulated = formatDuration(Math.floor(span / 300) * 300);
      const report = await reportFrame().evaluate(() => ({
        title: document.querySelector('h1').textContent,
        meta: Object.fromEntries(
          [...document.querySelectorAll('header dl div')].map((d) => [
            d.children[0].textContent,
            d.children[1].textContent,
          ]),
        ),
      }));
      if (
        report.title !== 'dynmem report: Pooled VDI host, 2 dropped trace files' ||
        report.meta.VMs !== '2' ||
        report.meta.Simulated !== simulated
      )
        throw new Error(`report ${JSON.stringify(report)}, expected 2 VMs for ${simulated}`);
      return `${report.meta.VMs} VMs for ${report.meta.Simulated}, ${report.meta.Samples} samples`;
    });

    await check('demo: a dropped scenario JSON runs, its refusal shown as the library words it', async () => {
      const scenario = {
        name: 'dropped JSON',
        duration: '2h',
        hosts: [{ memoryMB: 8192 }],
        vms: [{ name: 'x', trace: 'data/bitbrains-sample/1.csv.gz', startupMB: 1024 }],
      };
      // Dropped this time, as a drag from a file manager delivers it.
      await page.evaluate(() => delete document.body.dataset.run);
      await page.evaluate((text) => {
        const files = new DataTransfer();
        files.items.add(new File([text], 'scenario.json', { type: 'application/json' }));
        document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: files }));
      }, JSON.stringify(scenario));
      await page.waitForSelector('body[data-run="done"], body[data-run="error"]', { timeout: 30_000 });
      const title = await reportFrame().textContent('h1');
      if (title !== 'dynmem report: dropped JSON') throw new Error(`report "${title}"`);
      // An odd startup RAM: the page must show exactly what simulate() in Node throws.
      const bad = { ...scenario, vms: [{ ...scenario.vms[0], startupMB: 1023 }] };
      const expected = await simulate(bad, { baseDir: root }).then(
        () => 'no error',
        (error) => error.message,
      );
      await runFiles([{ name: 'bad.json', mimeType: 'application/json', buffer: json(bad) }], 'error');
      const shown = await text('#run-error');
      if (shown !== expected) throw new Error(`shown ${JSON.stringify(shown)}, Node says ${JSON.stringify(expected)}`);
      // A trace the JSON names but nobody dropped: named, with what to do.
      const orphan = { ...scenario, vms: [{ ...scenario.vms[0], trace: 'traces/missing.csv' }] };
      await runFiles([{ name: 'orphan.json', mimeType: 'application/json', buffer: json(orphan) }], 'error');
      const missing = await text('#run-error');
      if (missing !== 'vms[0].trace: traces/missing.csv: not among the dropped files; drop it with the scenario.')
        throw new Error(`missing trace: ${JSON.stringify(missing)}`);
      return `"${shown}"; "${missing}"`;
    });

    await check('demo: the report frame fetches nothing; the page fetches only from its own origin', async () => {
      const fromReport = requests.filter((r) => r.frame === reportFrame()).map((r) => r.url);
      if (fromReport.length) throw new Error(`the report fetched ${fromReport.join(', ')}`);
      const foreign = requests.map((r) => r.url).filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
      if (foreign.length) throw new Error(`outside ${origin}: ${foreign.join(', ')}`);
      const traces = requests.filter((r) => r.url.includes('/bitbrains-sample/')).length;
      return `${requests.length} requests, all to ${origin} (${traces} traces)`;
    });

    await check('demo: no console errors, no uncaught errors', async () => {
      const errors = [...consoleErrors, ...pageErrors];
      if (errors.length) throw new Error(errors.join('\n'));
    });
  } finally {
    await page.close();
  }
}
