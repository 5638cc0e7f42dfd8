// The published plan schema: the file users point `$schema` at equals the schema the library validates plans with,
// and it names exactly the fields of the TypeScript types (sharing the scenario schema's definitions).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_SCHEMA, type Plan, type PlanProfile, type PlanTargets, SCENARIO_SCHEMA } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { REPO } from './cli-run.ts';

type Fields<T> = Record<keyof T, true>;
// Each list must name every field of its type and nothing else, or this file does not type-check.
const PLAN: Fields<Plan> = {
  name: true,
  duration: true,
  scenario: true,
  profile: true,
  host: true,
  hosts: true,
  targets: true,
  question: true,
};
const PROFILE: Fields<PlanProfile> = {
  traces: true,
  template: true,
  maximumFromProvisioned: true,
  copyShift: true,
  skipIdle: true,
  staticMB: true,
};
const TARGETS: Fields<PlanTargets> = {
  shortfallPercent: true,
  startSpread: true,
  failover: true,
  failoverAt: true,
  smartPagingPeakMB: true,
  restarts: true,
};

interface Node {
  properties: Record<string, Node>;
}
const keys = (node: Node) => Object.keys(node.properties).sort();
const names = (fields: object) => Object.keys(fields).sort();

describe('plan schema', () => {
  it('schema/plan.schema.json is the schema plans are validated with (npm run schema writes it)', () => {
    const file = JSON.parse(readFileSync(join(REPO, 'schema/plan.schema.json'), 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(PLAN_SCHEMA)));
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(pkg.exports['./schema/plan.schema.json']).toBe('./schema/plan.schema.json');
  });

  it('has exactly the fields of the TypeScript types, and the scenario schema for hosts and VM settings', () => {
    const schema = PLAN_SCHEMA as unknown as Node;
    expect(keys(schema)).toEqual(names({ ...PLAN, $schema: true }));
    expect(keys(schema.properties.profile!)).toEqual(names(PROFILE));
    expect(keys(schema.properties.targets!)).toEqual(names(TARGETS));
    expect(keys(schema.properties.question!)).toEqual(['density', 'hostMemory', 'sweep']);
    expect(PLAN_SCHEMA.$defs).toBe(SCENARIO_SCHEMA.$defs);
  });
});
