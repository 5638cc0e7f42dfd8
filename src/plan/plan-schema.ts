// The plan file format as a JSON Schema (draft 2020-12), in the scenario schema's pattern and with its definitions
// (durations, hosts, VM settings): what editors complete and check, and what checkPlan validates every plan against
// before the library's own rules. Published as schema/plan.schema.json (a test keeps that file equal to this object).
import { SCENARIO_SCHEMA } from '../sim/scenario-schema.ts';

const OWNED = new Set(['hosts', 'vms', 'fleets', 'events', 'duration', 'name', '$schema']);
/** The scenario fields a plan passes to every run. */
const RUN_FIELDS = Object.fromEntries(Object.entries(SCENARIO_SCHEMA.properties).filter(([key]) => !OWNED.has(key)));
const whole = (minimum: number, description: string) => ({ type: 'integer', minimum, description });

export const PLAN_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://unpkg.com/dynmem/schema/plan.schema.json',
  title: 'dynmem plan',
  description: 'A capacity plan: a VM profile, a host or cluster, service targets and the question to answer.',
  type: 'object',
  additionalProperties: false,
  required: ['profile', 'host'],
  properties: {
    name: { type: 'string', description: 'Name of the plan, shown in reports.' },
    duration: { $ref: '#/$defs/duration', description: 'Simulated time of every run. Default "24h".' },
    scenario: {
      type: 'object',
      additionalProperties: false,
      properties: RUN_FIELDS,
      description: 'Scenario fields for every run (engine, demandInterpolation, bootSeconds, ...).',
    },
    profile: {
      type: 'object',
      additionalProperties: false,
      required: ['traces'],
      properties: {
        traces: { type: 'string', minLength: 1, description: 'A folder or glob of trace files.' },
        template: { $ref: '#/$defs/settings', description: 'Settings of every VM.' },
        maximumFromProvisioned: { type: 'boolean', description: "Each VM's maximum is its provisioned memory." },
        copyShift: { $ref: '#/$defs/duration', description: 'Time shift between copies of a trace. Default 1h.' },
        skipIdle: { type: 'boolean', description: 'Skip traces with zero demand throughout. Default true.' },
        staticMB: {
          type: 'integer',
          minimum: 32,
          multipleOf: 2,
          description: 'Memory of each VM without Dynamic Memory. Default: provisioned, else startupMB.',
        },
      },
    },
    host: { $ref: '#/$defs/host', description: "Every host's options (no name: hosts are host-1, host-2, ...)." },
    hosts: whole(1, 'Hosts in the cluster. Default 1.'),
    targets: {
      type: 'object',
      additionalProperties: false,
      properties: {
        shortfallPercent: {
          type: 'number',
          minimum: 0,
          maximum: 100,
          description: 'Most VM-seconds with demand above memory, %. Default 0.1.',
        },
        startSpread: { $ref: '#/$defs/duration', description: 'Boot storm spread. Default "10m".' },
        failover: { type: 'boolean', description: 'N+1 on clusters. Default true.' },
        failoverAt: { $ref: '#/$defs/duration', description: 'When a host fails. Default half the duration.' },
        smartPagingPeakMB: {
          anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }],
          description: 'Most Smart Paging on a host, MB; null: no bound. Default 10 % of host memory.',
        },
        restarts: {
          type: 'object',
          additionalProperties: false,
          required: ['at'],
          properties: {
            at: { $ref: '#/$defs/duration', description: 'When the restart wave starts.' },
            spread: { $ref: '#/$defs/duration', description: 'Over how long. Default 0.' },
          },
          description: 'A restart wave: every VM restarted once.',
        },
      },
    },
    question: {
      type: 'object',
      additionalProperties: false,
      properties: {
        density: {
          type: 'object',
          additionalProperties: false,
          properties: { maxVms: whole(1, 'Search bound. Default 10,000 per host.') },
          description: 'The most VMs, with Dynamic Memory and static.',
        },
        hostMemory: {
          type: 'object',
          additionalProperties: false,
          required: ['vms'],
          properties: {
            vms: whole(1, 'VMs to carry.'),
            stepMB: { type: 'integer', minimum: 2, multipleOf: 2, description: 'Search step. Default 1024.' },
            maxMB: whole(2, 'Search bound. Default 16 TB.'),
          },
          description: 'The least host memory for a number of VMs.',
        },
        sweep: {
          type: 'object',
          additionalProperties: false,
          required: ['settings'],
          properties: {
            settings: { type: 'object', description: 'Setting → values: a VM setting, host.NAME or scenario.NAME.' },
            vms: whole(1, 'A fixed count; without it, a density search per point.'),
            maxVms: whole(1, 'Search bound. Default 10,000 per host.'),
          },
          description: 'A grid over settings.',
        },
      },
      description: 'One of density (the default), hostMemory or sweep.',
    },
    $schema: { type: 'string', description: 'This schema, for editors.' },
  },
  $defs: SCENARIO_SCHEMA.$defs,
};
