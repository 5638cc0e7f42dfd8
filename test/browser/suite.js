// The library in a real browser, as users embed it: the compiled ESM from /dist, the Wasm core fetched beside it,
// traces fetched and gunzipped with DecompressionStream, and the HTML report rendered. Run by test/browser/run.js;
// results go to window.__results ({ passed, failed: [{ name, error }] }) and window.__done.

const results = { passed: [], failed: [] };
const logList = document.getElementById('log');

function show(name, error) {
  const li = document.createElement('li');
  li.className = error ? 'fail' : 'pass';
  li.textContent = error ? `FAIL ${name}: ${error}` : `ok ${name}`;
  logList.append(li);
}

function describeError(error) {
  if (error instanceof Error) {
    const head = `${error.name}: ${error.message}`;
    // Chromium's stack starts with the same "Name: message" line.
    return error.stack ? (error.stack.startsWith(head) ? error.stack : `${head}\n${error.stack}`) : head;
  }
  return String(error);
}

async function test(name, body) {
  try {
    await body();
    results.passed.push(name);
    show(name);
  } catch (error) {
    results.failed.push({ name, error: describeError(error) });
    show(name, describeError(error));
  }
}

class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

const fmt = (x) => {
  try {
    return JSON.stringify(x, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  } catch {
    return String(x);
  }
};

function assert(condition, message) {
  if (!condition) throw new AssertionError(message);
}

function equal(actual, expected, what) {
  if (!Object.is(actual, expected)) throw new AssertionError(`${what}: expected ${fmt(expected)}, got ${fmt(actual)}`);
}

/** The first difference between two plain values (Object.is on leaves: NaN equals NaN, Infinity is kept), or null. */
function firstDifference(a, b, path = '$') {
  if (Object.is(a, b)) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return `${path}: ${fmt(a)} vs ${fmt(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (!(key in a) || !(key in b)) return `${path}.${key}: present on one side only`;
    const d = firstDifference(a[key], b[key], Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`);
    if (d) return d;
  }
  return null;
}

function deepEqual(actual, expected, what) {
  const d = firstDifference(actual, expected);
  if (d) throw new AssertionError(`${what} differ at ${d}`);
}

function refusal(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new AssertionError('expected the call to be refused, it succeeded');
}

/** Wait for the next frame twice, so layout has happened. */
const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

/** A seeded linear congruential generator (Numerical Recipes constants), 32-bit. */
function lcg(seed) {
  let state = seed >>> 0;
  return {
    next() {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state;
    },
    int(n) {
      return Math.floor((this.next() / 2 ** 32) * n);
    },
  };
}

/** 20 VMs, 300 operations from one seed; the outcome of each, and the state every 25 operations and at the end. */
async function randomScenario(lib, engine, seed) {
  const rnd = lcg(seed);
  const host = await lib.createHost({ memoryMB: 32768, reserveMB: 1024, engine, bootSeconds: 10 });
  if (host.engine !== engine) throw new AssertionError(`asked for the ${engine} engine, got ${host.engine}`);
  const names = [];
  for (let i = 0; i < 20; i++) {
    const startupMB = 256 + 2 * rnd.int(1536);
    const minimumMB = Math.max(32, 2 * rnd.int(startupMB / 2 + 1));
    const maximumMB = startupMB + 2 * rnd.int(4096);
    const name = `vm-${i}`;
    host.addVm({
      name,
      startupMB,
      minimumMB,
      maximumMB,
      bufferPercent: 5 + rnd.int(100),
      weight: rnd.int(10001),
      dynamicMemory: rnd.int(10) !== 0,
    });
    names.push(name);
  }
  const trace = [];
  const outcomes = {};
  for (let k = 0; k < 300; k++) {
    const vm = names[rnd.int(names.length)];
    const kind = rnd.int(10);
    let op;
    let outcome = 'ok';
    try {
      if (kind < 4) {
        op = `setDemand ${vm}`;
        host.setDemand(vm, rnd.int(6000));
      } else if (kind < 6) {
        op = `start ${vm}`;
        host.start(vm);
      } else if (kind < 7) {
        op = `stop ${vm}`;
        host.stop(vm);
      } else if (kind < 8) {
        op = `restart ${vm}`;
        host.restart(vm);
      } else {
        const s = 1 + rnd.int(30);
        op = `advance ${s}`;
        host.advance(s);
      }
    } catch (error) {
      if (!(error instanceof lib.DynamicMemoryError)) throw error;
      outcome = `${error.code}${error.hresult === undefined ? '' : ` 0x${(error.hresult >>> 0).toString(16)}`}: ${error.message}`;
    }
    const key = outcome === 'ok' ? 'ok' : outcome.slice(0, outcome.indexOf(':'));
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    trace.push([op, outcome]);
    if (k % 25 === 24) trace.push({ at: k, vms: host.vms(), counters: host.counters() });
  }
  host.advance(120);
  return { trace, outcomes, vms: host.vms(), counters: host.counters(), time: host.timeSeconds };
}

/** Host of 4096 MB, no reserve: 'r' shrinks to its 512 MB minimum, then a static VM takes what is left. */
async function crowdedHost(lib, engine) {
  const host = await lib.createHost({ memoryMB: 4096, reserveMB: 0, engine });
  host.addVm({ name: 'r', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
  host.start('r');
  host.advance(120);
  equal(host.vm('r').assignedMB, 512, 'r after 120 s without demand');
  host.addVm({ name: 's', startupMB: 3584, dynamicMemory: false });
  host.start('s');
  host.advance(40);
  return host;
}

function simScenario(engine, trace) {
  return {
    name: `browser trace (${engine})`,
    engine,
    duration: '2h',
    sampleInterval: 300,
    hosts: [{ name: 'h1', memoryMB: 16384, reserveMB: 1024 }],
    vms: [
      { name: 'bitbrains-1', trace, startupMB: 1024, minimumMB: 512, maximumMB: 8192 },
      { name: 'flat', demandMB: 700, startupMB: 1024, minimumMB: 256, maximumMB: 4096 },
    ],
  };
}

async function run() {
  let lib;
  await test('import /dist/src/index.js', async () => {
    lib = await import('/dist/src/index.js');
    for (const name of [
      'createHost',
      'createCluster',
      'simulate',
      'reportHtml',
      'DynamicMemoryError',
      'loadCoreModule',
    ]) {
      assert(typeof lib[name] === 'function', `export ${name} is missing`);
    }
  });
  if (!lib) return;

  await test('wasm: loadCoreModule compiles the built-in core', async () => {
    const module = await lib.loadCoreModule();
    assert(module instanceof WebAssembly.Module, 'not a WebAssembly.Module');
    const exports = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const name of ['memory', 'allocate', 'vmColumn', 'hostColumn', 'run'])
      assert(exports.includes(name), `core export ${name} missing (has ${exports})`);
  });

  const randomRuns = {};
  const simRuns = {};

  for (const engine of ['wasm', 'js']) {
    await test(`${engine}: createHost and the seed example (1,000 MB demand, 20 % buffer → 1,200 MB)`, async () => {
      const host = await lib.createHost({ memoryMB: 65536, engine });
      equal(host.engine, engine, 'engine');
      equal(host.reserveMB, lib.autoReserveMB(65536, false), 'automatic reserve');
      const added = host.addVm({ name: 'vdi-1', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      equal(added.state, 'Off', 'state after addVm');
      equal(added.settings.bufferPercent, 20, 'default buffer');
      host.start('vdi-1');
      host.setDemand('vdi-1', 1000);
      host.advance(60);
      const vm = host.vm('vdi-1');
      equal(vm.state, 'Running', 'state');
      equal(vm.assignedMB, 1200, 'assignedMB');
      equal(vm.demandMB, 1000, 'demandMB');
      equal(host.timeSeconds, 60, 'timeSeconds');
      equal(host.counters().assignedMB, 1200, 'host assignedMB');
    });

    await test(`${engine}: OutOfMemory refusal (code, hresult 0x8007000E, message), nothing changed`, async () => {
      const host = await lib.createHost({ memoryMB: 4096, reserveMB: 0, engine });
      host.addVm({ name: 'a', startupMB: 3000, dynamicMemory: false });
      host.addVm({ name: 'b', startupMB: 3000, dynamicMemory: false });
      host.start('a');
      const before = { vms: host.vms(), counters: host.counters() };
      const error = refusal(() => host.start('b'));
      assert(error instanceof lib.DynamicMemoryError, `not a DynamicMemoryError: ${describeError(error)}`);
      assert(error instanceof Error, 'not an Error');
      equal(error.name, 'DynamicMemoryError', 'name');
      equal(error.code, 'OutOfMemory', 'code');
      equal(error.hresult, 0x8007000e, 'hresult');
      equal(error.hresult, lib.E_OUTOFMEMORY, 'hresult vs E_OUTOFMEMORY');
      equal(error.vm, 'b', 'vm');
      equal(
        error.message,
        'Not enough memory in the system to start the virtual machine b with ram size 3000 megabytes.',
        'message',
      );
      deepEqual({ vms: host.vms(), counters: host.counters() }, before, 'state before and after the refused start');
    });

    await test(`${engine}: restart with no memory to be found uses Smart Paging, which then ends`, async () => {
      const host = await crowdedHost(lib, engine);
      equal(host.counters().availableMemoryMB, 0, 'available before restart');
      host.restart('r');
      let r = host.vm('r');
      equal(r.state, 'Starting', 'state');
      equal(r.assignedMB, 512, 'assignedMB');
      equal(r.smartPagingMB, 1536, 'smartPagingMB (startup − minimum)');
      equal(r.memoryStatus, 'Paging', 'memoryStatus');
      equal(host.counters().smartPagingMB, 1536, 'host smartPagingMB');
      equal(host.counters().assignedMB, 4096, 'host assignedMB (Smart Paging not in it)');
      host.advance(120);
      r = host.vm('r');
      equal(r.state, 'Running', 'state after boot');
      equal(r.smartPagingMB, 0, 'smartPagingMB after boot with no demand');
      assert(r.memoryStatus !== 'Paging', `memoryStatus still ${r.memoryStatus}`);
    });

    await test(`${engine}: createCluster, placement and failHost`, async () => {
      const cluster = await lib.createCluster({
        engine,
        hosts: [
          { name: 'n1', memoryMB: 16384, reserveMB: 1024 },
          { name: 'n2', memoryMB: 16384, reserveMB: 1024 },
        ],
      });
      equal(cluster.engine, engine, 'engine');
      for (let i = 0; i < 6; i++)
        cluster.addVm({ name: `c${i}`, startupMB: 2048, minimumMB: 512, maximumMB: 8192, weight: 1000 * i });
      for (let i = 0; i < 6; i++) cluster.start(`c${i}`);
      const hostsOf = () => Object.fromEntries(cluster.vms().map((v) => [v.name, v.host]));
      const placed = hostsOf();
      assert(
        Object.values(placed).includes('n1') && Object.values(placed).includes('n2'),
        `placement did not spread: ${fmt(placed)}`,
      );
      for (let i = 0; i < 6; i++) cluster.host(placed[`c${i}`]).setDemand(`c${i}`, 800);
      cluster.advance(60);
      const onN1 = Object.keys(placed).filter((n) => placed[n] === 'n1');
      const report = cluster.failHost('n1');
      equal(report.host, 'n1', 'report.host');
      equal(report.failed.length, 0, 'failed VMs');
      deepEqual(report.restarted.map((r) => r.vm).sort(), [...onN1].sort(), 'restarted VMs');
      assert(
        report.restarted.every((r) => r.host === 'n2'),
        `restarted elsewhere than n2: ${fmt(report.restarted)}`,
      );
      // highest weight first
      const weights = report.restarted.map((r) => Number(r.vm.slice(1)));
      deepEqual(
        weights,
        [...weights].sort((a, b) => b - a),
        'restart order (highest weight first)',
      );
      const counters = cluster.counters();
      equal(counters.failedHosts, 1, 'failedHosts');
      equal(counters.hosts, 2, 'hosts');
      equal(cluster.host('n1').failed, true, 'n1 failed');
      assert(
        cluster.vms().every((v) => v.host === 'n2' && v.state !== 'Off'),
        `not all on n2 and on: ${fmt(hostsOf())}`,
      );
      const again = refusal(() => cluster.failHost('n1'));
      equal(again.code, 'InvalidState', 'second failHost code');
      cluster.advance(60);
      cluster.recoverHost('n1');
      equal(cluster.counters().failedHosts, 0, 'failedHosts after recovery');
    });

    await test(`${engine}: seeded pseudo-random scenario (20 VMs, 300 operations)`, async () => {
      const run = await randomScenario(lib, engine, 20240611);
      const ops = run.trace.filter(Array.isArray);
      equal(ops.length, 300, 'operations');
      assert((run.outcomes.ok ?? 0) > 100, `too few operations succeeded: ${fmt(run.outcomes)}`);
      assert(
        run.vms.some((v) => v.state === 'Running'),
        'no VM is running at the end',
      );
      const assigned = run.vms.reduce((s, v) => s + v.assignedMB, 0);
      assert(assigned + 1024 <= 32768, `assigned ${assigned} + reserve exceeds the host`);
      randomRuns[engine] = run;
    });

    await test(`${engine}: simulate() with a gzip trace fetched by URL ('/data/bitbrains-sample/1.csv.gz', 2h)`, async () => {
      const { summary, series, cluster } = await lib.simulate(simScenario(engine, '/data/bitbrains-sample/1.csv.gz'));
      equal(summary.engine, engine, 'summary.engine');
      equal(cluster.engine, engine, 'cluster.engine');
      equal(summary.durationSeconds, 7200, 'durationSeconds');
      equal(summary.vms, 2, 'vms');
      equal(summary.traces.files, 1, 'trace files');
      equal(series.timeSeconds.length, 25, 'samples (0…7200 every 300 s)');
      const vm = series.vms.find((v) => v.name === 'bitbrains-1');
      assert(vm, 'no per-VM series for bitbrains-1');
      assert(
        vm.demandMB.some((d) => d > 0),
        'the trace gave no demand',
      );
      assert(new Set(vm.demandMB.slice(1)).size > 1, `trace demand is flat: ${fmt(vm.demandMB)}`);
      assert(summary.memory.meanAssignedMB > 0, 'no memory assigned');
      assert(
        summary.startTime !== '2000-01-01T00:00:00.000Z',
        `startTime not taken from the trace: ${summary.startTime}`,
      );
      simRuns[engine] = { summary, series };
    });
  }

  await test('wasm and js agree exactly on the seeded pseudo-random scenario', async () => {
    assert(randomRuns.wasm && randomRuns.js, 'a run is missing (see above)');
    deepEqual(randomRuns.js, randomRuns.wasm, 'js and wasm runs');
  });

  await test('wasm and js agree on the trace simulation', async () => {
    assert(simRuns.wasm && simRuns.js, 'a run is missing (see above)');
    const strip = ({ summary: { engine: _e, scenario: _s, wallSeconds: _w, ...summary }, series }) => ({
      summary,
      series,
    });
    deepEqual(strip(simRuns.js), strip(simRuns.wasm), 'js and wasm simulations');
  });

  await test('simulate(): a relative trace URL resolves against the page, and against baseDir', async () => {
    const viaPage = await lib.simulate(simScenario('wasm', '../../data/bitbrains-sample/1.csv.gz'));
    const viaBase = await lib.simulate(simScenario('wasm', 'bitbrains-sample/1.csv.gz'), {
      baseDir: new URL('/data/', location.href).href,
    });
    const strip = ({ summary: { wallSeconds: _w, ...summary }, series }) => ({ summary, series });
    deepEqual(strip(viaPage), strip(simRuns.wasm), 'relative-to-page run vs absolute-path run');
    deepEqual(strip(viaBase), strip(simRuns.wasm), 'baseDir run vs absolute-path run');
  });

  await test('simulate(): a .gz trace the server sends with Content-Encoding: gzip (already gunzipped by the browser)', async () => {
    // run.js serves /__content-encoded/… like Apache's "AddEncoding gzip .gz": the page receives plain CSV.
    const probe = await fetch('/__content-encoded/data/bitbrains-sample/1.csv.gz');
    assert(probe.ok, `the runner's /__content-encoded/ route answered HTTP ${probe.status}`);
    assert(
      (await probe.text()).startsWith('Timestamp'),
      'the browser did not gunzip the Content-Encoding: gzip response',
    );
    const run = await lib.simulate(simScenario('wasm', '/__content-encoded/data/bitbrains-sample/1.csv.gz'));
    const strip = ({ summary: { wallSeconds: _w, ...summary }, series }) => ({ summary, series });
    deepEqual(strip(run), strip(simRuns.wasm), 'content-encoded run vs plain .gz run');
  });

  await test('simulate(): a missing trace is refused with the HTTP status', async () => {
    let error;
    try {
      await lib.simulate(simScenario('js', '/data/bitbrains-sample/does-not-exist.csv.gz'));
    } catch (e) {
      error = e;
    }
    assert(error, 'simulate succeeded with a missing trace');
    assert(/404/.test(error.message), `message does not name the status: ${error.message}`);
  });

  await test('reportHtml(summary, series) renders in an iframe with its charts laid out', async () => {
    assert(simRuns.wasm, 'the wasm simulation is missing (see above)');
    const html = lib.reportHtml(simRuns.wasm.summary, simRuns.wasm.series, { title: 'dynmem in the browser' });
    assert(!/<script/i.test(html), 'the report contains a script');
    const frame = document.getElementById('report');
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('iframe did not load within 10 s')), 10000);
      frame.addEventListener(
        'load',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
      frame.srcdoc = html;
    });
    await frames();
    const doc = frame.contentDocument;
    assert(doc, 'no iframe document');
    equal(doc.title, 'dynmem in the browser', 'report title');
    const sizes = {};
    // No restart, no Smart Paging: that chart is one line of text.
    equal(
      doc.getElementById('chart-smart-paging-empty')?.textContent,
      'No Smart Paging during the run.',
      'Smart Paging line',
    );
    for (const id of ['chart-assigned', 'chart-available', 'chart-pressure']) {
      const el = doc.getElementById(id);
      assert(el, `#${id} is missing`);
      equal(el.namespaceURI, 'http://www.w3.org/2000/svg', `#${id} namespace`);
      const box = el.getBoundingClientRect();
      sizes[id] = [Math.round(box.width), Math.round(box.height)];
      assert(box.width > 0 && box.height > 0, `#${id} has no rendered size (${box.width}×${box.height})`);
      assert(el.querySelectorAll('path.series').length > 0, `#${id} draws no data line`);
    }
    window.__chartSizes = sizes;
  });
}

try {
  await run();
} catch (error) {
  results.failed.push({ name: 'suite', error: describeError(error) });
} finally {
  document.getElementById('status').textContent = `${results.passed.length} passed, ${results.failed.length} failed`;
  window.__results = results;
  window.__done = true;
}
