// Scenarios under other policies (README "Policies"): `policy`, `policies` (the same VMs once per policy, key
// figures side by side), `policyOptions`, the report's "Policies compared" section and `dynmem simulate --policy`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportHtml, type Scenario, ScenarioError, simulate } from 'dynmem';
import { afterAll, describe, expect, it } from 'vitest';
import { readOut, removeTempDirs, runCli, tempDir } from './cli-run.ts';

afterAll(removeTempDirs);

/** Two VMs of 2,048 MB startup (512–4,096) using 1,000 MB each, on 8,192 MB with no reserve, for ten minutes. */
const twoVms = (extra: Partial<Scenario> = {}): Scenario => ({
  name: 'two VMs',
  duration: 600,
  sampleInterval: 60,
  hosts: [{ memoryMB: 8192, reserveMB: 0 }],
  vms: ['a', 'b'].map((name) => ({ name, startupMB: 2048, minimumMB: 512, maximumMB: 4096, demandMB: 1000 })),
  ...extra,
});

describe('policies in a scenario', () => {
  it('runs the same VMs once per policy, in order, with the key figures of each', async () => {
    const result = await simulate(twoVms({ policies: ['hyperv', 'static', 'squeezed'] }));
    const runs = result.policies!;
    expect(runs.map((r) => r.policy)).toEqual(['hyperv', 'static', 'squeezed']);
    const [hyperv, fixed, squeezed] = runs.map((r) => r.figures);
    // static: both hold their 2,048 MB startup memory all along: nothing saved, nothing moved
    expect(fixed).toMatchObject({ savedMB: 0, savedPercent: 0, operations: 0, vmSecondsShort: 0, startFailures: 0 });
    expect(runs[1]!.series.total.assignedMB.every((x) => x === 4096)).toBe(true);
    // hyperv: after the 30 s boot each balloons 848 MB down to 1,200 at 128 MB/s: 7 remove operations each
    expect(hyperv!.operations).toBe(14);
    expect(hyperv!.savedMB).toBeGreaterThan(0);
    // squeezed: at its decision as the boots end (30 s) both grow to 512 + ⌊3,584 × 7,159 / 7,168⌋ = 4,091
    expect(squeezed!.operations).toBe(2);
    expect(runs[2]!.series.total.assignedMB.at(-1)).toBe(2 * 4091);
    expect(squeezed!.pressurePeak).toBeCloseTo((100 * 2000) / (2 * 4091), 9); // booting VMs count for none
    // the result's own summary and series are the first policy's
    expect(result.summary).toEqual(runs[0]!.summary);
    const alone = await simulate(twoVms({ policy: 'hyperv' }));
    expect({ ...alone.summary, wallSeconds: 0 }).toEqual({ ...runs[0]!.summary, wallSeconds: 0 });
  });

  it('gives each policy its knobs from policyOptions', async () => {
    const scenario = twoVms({ policies: ['squeezed'], policyOptions: { squeezed: { slushMB: 1033 } } });
    const { policies } = await simulate(scenario);
    // surplus = 8,192 − 4,096 + 3,072 − 1,033 = 6,135 of 7,168: 512 + ⌊3,584 × 6,135 / 7,168⌋ = 3,579
    expect(policies![0]!.series.total.assignedMB.at(-1)).toBe(2 * 3579);
  });

  it.each([
    [{ policy: 'kvm' }, 'policy', 'hyperv, static, squeezed, qmemman, mom, proxmox, esx'],
    [{ policies: [] }, 'policies', 'at least 1 item'],
    [{ policies: ['esx', 'kvm'] }, 'policies[1]', 'must be one of'],
    [{ policies: ['esx', 'esx'] }, 'policies[1]', 'twice'],
    [{ policy: 'esx', policies: ['esx'] }, 'policies', 'not both'],
    [{ policyOptions: { kvm: {} } }, 'policyOptions.kvm', 'unknown field'],
    [{ policy: 'esx', policyOptions: { esx: { idleTax: 2 } } }, 'hosts[0].policyOptions.idleTax', '0 to 0.99'],
  ])('refuses %j, naming %s', async (extra, path, says) => {
    const error = await simulate(twoVms(extra as Partial<Scenario>)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).path).toBe(path);
    expect((error as ScenarioError).message).toContain(says);
  });

  it('refuses a host policy beside a comparison', async () => {
    const scenario = twoVms({ policies: ['esx'], hosts: [{ memoryMB: 8192, policy: 'mom' }] });
    const error = await simulate(scenario).catch((e: unknown) => e);
    expect((error as ScenarioError).path).toBe('hosts[0].policy');
  });
});

describe('the report of a comparison', () => {
  it('has one row of key figures and one line per policy in each chart', async () => {
    const { summary, series, policies } = await simulate(twoVms({ policies: ['hyperv', 'static', 'esx'] }));
    const html = reportHtml(summary, series, { policies: policies! });
    const section = html.slice(html.indexOf('<h2 id="policies">'), html.indexOf('<h2>Key figures</h2>'));
    const rows = [...section.matchAll(/<tr><td>(\w+)<\/td>(.*?)<\/tr>/g)].map((m) => m[1]);
    expect(rows).toEqual(['hyperv', 'static', 'esx']);
    expect(section).toMatch(/<td>static<\/td><td class="num">0 MB \(0\.0 %\)<\/td>/);
    for (const id of ['chart-policies-assigned', 'chart-policies-pressure', 'chart-policies-available']) {
      const chart = section.slice(
        section.indexOf(`id="${id}"`),
        section.indexOf('</svg>', section.indexOf(`id="${id}"`)),
      );
      expect(chart).toContain('>hyperv<');
      expect(chart).toContain('>static<');
      expect(chart).toContain('>esx<');
    }
    expect(reportHtml(summary, series)).not.toContain('id="policies"');
  });
});

describe('dynmem simulate --policy', () => {
  const scenarioFile = () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'two.json'), JSON.stringify(twoVms()));
    return dir;
  };

  it('runs every host under one policy', () => {
    const run = runCli(['simulate', 'two.json', '--policy', 'static', '--json'], scenarioFile());
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).memory.savedMB).toBe(0);
  });

  it('compares several side by side: a table on the terminal, the figures in summary.json, the report section', () => {
    const run = runCli(['simulate', 'two.json', '--policy', 'hyperv,static', '--no-progress'], scenarioFile());
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Policies compared[^\n]*\n\s+policy\s+saved MB.*\n\s+hyperv .*\n\s+static\s+0\s+0\.0 /);
    const summary = JSON.parse(readOut(run, 'dynmem-report', 'summary.json'));
    expect(summary.policies.map((f: { policy: string }) => f.policy)).toEqual(['hyperv', 'static']);
    expect(readOut(run, 'dynmem-report', 'report.html')).toContain('id="chart-policies-assigned"');
  });

  it('refuses an unknown policy as a usage error', () => {
    const run = runCli(['simulate', 'two.json', '--policy', 'hyperv,kvm'], scenarioFile());
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      "--policy must be hyperv or static or squeezed or qmemman or mom or proxmox or esx, not 'kvm'",
    );
  });
});
