// The scenario format as a JSON Schema (draft 2020-12): what editors complete and check, and what checkScenario
// validates every scenario against before anything is built. Published as schema/scenario.schema.json (a test
// keeps that file equal to this object, and this object equal to the TypeScript types).

import { MAX_NUMA_NODES } from '../host/numa.ts';
import { POLICIES } from '../host/policy.ts';
import { HYPERV_VERSIONS } from '../host/versions.ts';

const wholeMB = (minimum: number, description: string) => ({ type: 'integer', minimum, description });
const alignedMB = (description: string) => ({ type: 'integer', minimum: 32, multipleOf: 2, description });
const seconds = (description: string) => ({ type: 'number', minimum: 0, description });

/** VM memory settings (the settings table of the README); the rules between fields are the library's. */
const VM_SETTINGS = {
  startupMB: alignedMB('Memory to boot; the whole size of a VM without Dynamic Memory. Default 512.'),
  dynamicMemory: { type: 'boolean', description: 'Dynamic Memory on or off. Default true.' },
  minimumMB: alignedMB('Floor after boot, ≤ startupMB. Default min(512, startupMB).'),
  maximumMB: alignedMB("Ceiling, startupMB … the host's maxVmMemoryMB. Default 1,048,576."),
  bufferPercent: { type: 'integer', minimum: 5, maximum: 2000, description: 'Headroom over demand, %. Default 20.' },
  weight: { type: 'integer', minimum: 0, maximum: 10000, description: 'Share under contention. Default 5000.' },
  guestOsMaxMB: {
    anyOf: [alignedMB('Most memory the guest OS can use.'), { type: 'null' }],
    description: 'Most memory the guest OS can use, MB (a multiple of 2, ≥ 32), or null for no cap.',
  },
  guestSupportsDynamicMemory: {
    type: 'boolean',
    description: 'False during an OS install or upgrade: the VM uses exactly its startup RAM. Default true.',
  },
  guestSupportsHotAdd: {
    type: 'boolean',
    description: 'False for a guest that cannot hot-add memory: never above startupMB. Default true.',
  },
  guestSupportsRuntimeResize: {
    type: 'boolean',
    description: 'False for a guest that cannot resize its memory while running. Default true.',
  },
  generation: { enum: [1, 2], description: 'VM generation; the largest VM memory depends on it. Default 2.' },
  clusterPriority: {
    enum: [3000, 2000, 1000, 0],
    description: 'Failover order: 3000 High, 2000 Medium (default), 1000 Low, 0 No Auto Start (left off).',
  },
  balloonDriverRateMBps: {
    anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }],
    description: "MB/s the guest's balloon driver gives back (capped by the host's); 0 stuck; null (default) no limit.",
  },
  balloonDriverLimitMB: {
    type: 'integer',
    minimum: 0,
    multipleOf: 2,
    description: 'MB below which the balloon driver cannot take the VM; 0 (default) none.',
  },
};

export const SCENARIO_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://unpkg.com/dynmem/schema/scenario.schema.json',
  title: 'dynmem scenario',
  description: 'A simulation: hosts, VMs and fleets, events, and for how long.',
  type: 'object',
  additionalProperties: false,
  required: ['hosts'],
  properties: {
    name: { type: 'string', description: 'Name of the run, shown in reports.' },
    engine: { enum: ['wasm', 'js'], description: 'The balancer engine. Default "wasm".' },
    threads: {
      type: 'integer',
      minimum: 1,
      maximum: 64,
      description: "Threads of the 'wasm' engine in Node (whole hosts each). Default: the machine's cores, up to 8.",
    },
    duration: { $ref: '#/$defs/duration', description: 'Simulated time, > 0. Default "24h".' },
    balancerIntervalSeconds: { type: 'number', exclusiveMinimum: 0, description: 'Seconds between ticks. Default 1.' },
    sampleInterval: { $ref: '#/$defs/duration', description: 'Seconds between output samples. Default 300.' },
    traceStep: { $ref: '#/$defs/duration', description: 'Grid the traces are resampled onto. Default 300.' },
    demandInterpolation: {
      enum: ['step', 'linear'],
      description: "Demand between grid points: 'step' (default) holds, 'linear' ramps.",
    },
    bootSeconds: seconds('Seconds a booting VM holds its startup RAM. Default 30.'),
    pressureWindowSeconds: { type: 'number', exclusiveMinimum: 0, description: 'Average Pressure time constant.' },
    hosts: { type: 'array', minItems: 1, items: { $ref: '#/$defs/host' }, description: 'One host, or a cluster.' },
    vms: { type: 'array', items: { $ref: '#/$defs/vm' } },
    fleets: { type: 'array', items: { $ref: '#/$defs/fleet' } },
    events: { type: 'array', items: { $ref: '#/$defs/event' } },
    perVmSeries: { type: 'boolean', description: 'Keep per-VM time series. Default: with at most 200 VMs.' },
    failback: {
      enum: ['none', 'immediate'],
      description: "Cluster failback: 'none' (default) or 'immediate' (VMs move home when their host recovers).",
    },
    autoBalancer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: {
          enum: ['disabled', 'onJoin', 'always'],
          description: "'disabled', 'onJoin' (when a failed host recovers) or 'always' (on join and every 30 min).",
        },
        level: {
          enum: ['low', 'medium', 'high'],
          description: "Balance hosts whose memory load is above 'low' 80 %, 'medium' 70 % or 'high' 60 %.",
        },
      },
      description:
        "Cluster VM load balancing (node fairness). Default { mode: 'always', level: 'low' }; 'disabled' with a 2012R2 host.",
    },
    migrationBandwidthMBps: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'MB/s a cluster live migration copies: a move of M MB takes ceil(M / bandwidth) s. Default 1000.',
    },
    startTime: {
      type: 'string',
      description: "ISO 8601 time of simulated time 0. Default: the earliest trace's first sample.",
    },
    policy: { $ref: '#/$defs/policy', description: 'The allocation policy of every host that names none.' },
    policies: {
      type: 'array',
      minItems: 1,
      items: { $ref: '#/$defs/policy' },
      description: 'Run the same VMs once per policy, compared side by side.',
    },
    policyOptions: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(POLICIES.map((name) => [name, { $ref: '#/$defs/policyOptions' }])),
      description: 'The knobs of each policy, by name, e.g. { "esx": { "idleTax": 0 } }.',
    },
    $schema: { type: 'string', description: 'This schema, for editors.' },
  },
  $defs: {
    duration: {
      anyOf: [
        { type: 'number', minimum: 0 },
        { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?\\s*[smhd]\\s*)+)\\s*$' },
      ],
      description: 'a duration (seconds, or like "30m", "24h", "2d", "1h30m")',
    },
    name: { type: 'string', minLength: 1, pattern: '\\S', description: 'a name with more than blanks' },
    host: {
      type: 'object',
      additionalProperties: false,
      required: ['memoryMB'],
      properties: {
        name: { $ref: '#/$defs/name' },
        memoryMB: wholeMB(64, 'Physical memory of the host, MB.'),
        reserveMB: {
          anyOf: [{ const: 'auto' }, { type: 'integer', minimum: 0 }],
          description: 'Memory kept for the host OS: "auto" (default) or whole MB.',
        },
        failoverCluster: { type: 'boolean', description: 'A member of a failover cluster.' },
        rootMemoryReserved: { type: 'boolean', description: "Also keep the cluster's RootMemoryReserved (512 MB)." },
        version: { enum: HYPERV_VERSIONS, description: 'Windows Server version of Hyper-V. Default the newest.' },
        maxVmMemoryMB: alignedMB("Largest memory a VM may be given, MB. Default: the version's limit."),
        balloonRateMBps: wholeMB(1, 'MB a VM gives back by ballooning per second. Default 128.'),
        hysteresisMB: wholeMB(0, 'MB within which a VM is left at its goal. Default 0.'),
        startTimeoutSeconds: {
          type: 'number',
          exclusiveMinimum: 0,
          description: 'Seconds a start may wait for memory ballooned out of other VMs. Default 30.',
        },
        policy: { $ref: '#/$defs/policy' },
        policyOptions: { $ref: '#/$defs/policyOptions' },
        numaNodes: {
          anyOf: [
            { type: 'integer', minimum: 1, maximum: MAX_NUMA_NODES },
            { type: 'array', minItems: 1, maxItems: MAX_NUMA_NODES, items: wholeMB(1, 'A node, MB.') },
          ],
          description:
            'NUMA nodes: a count splitting memoryMB evenly, or the node sizes in MB (adding up to memoryMB).',
        },
        numaSpanning: {
          type: 'boolean',
          description: 'NUMA spanning (default true): one pool. False: each VM lives on one node, nodes balance alone.',
        },
      },
    },
    policy: {
      enum: POLICIES,
      description: "The allocation policy: 'hyperv' (default) or a peer's (README \"Policies\").",
    },
    policyOptions: {
      type: 'object',
      description: 'The policy\'s knobs (each policy accepts its own; README "Policies").',
    },
    settings: { type: 'object', additionalProperties: false, properties: VM_SETTINGS },
    vm: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { $ref: '#/$defs/name' },
        ...VM_SETTINGS,
        host: { type: 'string', description: 'Host to put the VM on; in a cluster omit it to place at start.' },
        start: { type: 'boolean', description: 'Start the VM at time 0. Default true.' },
        startAt: { $ref: '#/$defs/duration', description: 'Start the VM at this time instead of 0.' },
        initialAssignedMB: wholeMB(0, 'Already running at time 0 with this much memory (replays).'),
        staticMB: wholeMB(0, 'What a static configuration would give this VM, MB (for "memory saved").'),
        demandMB: { type: 'number', minimum: 0, maximum: 1073741824, description: 'Constant demand, MB.' },
        trace: { type: 'string', minLength: 1, description: 'A trace file: Bitbrains GWA-T-12 or generic CSV.' },
        traceVm: { type: 'string', description: 'For a generic CSV with several VMs: which one.' },
        demand: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'array',
            prefixItems: [
              { type: 'number', minimum: 0 },
              { type: 'number', minimum: 0 },
            ],
            minItems: 2,
            maxItems: 2,
            description: '[seconds, demand MB]',
          },
          description: 'Inline samples: [seconds, demand MB] pairs.',
        },
        traceOffset: { $ref: '#/$defs/duration', description: 'Seconds to shift the trace by.' },
      },
    },
    fleet: {
      type: 'object',
      additionalProperties: false,
      required: ['traces'],
      properties: {
        prefix: { type: 'string', description: 'VM names are prefix + trace VM.' },
        traces: { type: 'string', minLength: 1, description: 'A folder of trace files or a glob.' },
        template: { $ref: '#/$defs/settings', description: 'Settings shared by every VM of the fleet.' },
        maximumFromProvisioned: { type: 'boolean', description: "maximumMB from each trace's provisioned memory." },
        startupFromProvisioned: { type: 'boolean', description: "startupMB from each trace's provisioned memory." },
        count: { type: 'integer', minimum: 1, description: 'How many VMs (traces reused as shifted copies).' },
        copyShift: { $ref: '#/$defs/duration', description: 'Time shift between copies. Default 1h.' },
        hosts: {
          type: 'array',
          minItems: 1,
          items: { type: 'string' },
          description: 'Hosts to spread the VMs over, round-robin.',
        },
        skipIdle: { type: 'boolean', description: 'Skip traces whose demand is zero throughout. Default true.' },
        start: { type: 'boolean', description: 'Start the VMs at time 0. Default true.' },
        startSpread: { $ref: '#/$defs/duration', description: 'Spread the starts over this time. Default 0.' },
      },
    },
    event: {
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['at', 'action', 'vm'],
          properties: {
            at: { $ref: '#/$defs/duration' },
            action: { enum: ['start', 'stop', 'restart'] },
            vm: { type: 'string' },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['at', 'action', 'vm', 'settings'],
          properties: {
            at: { $ref: '#/$defs/duration' },
            action: { const: 'setMemory' },
            vm: { type: 'string' },
            settings: { $ref: '#/$defs/settings' },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['at', 'action', 'vm', 'demandMB'],
          properties: {
            at: { $ref: '#/$defs/duration' },
            action: { const: 'setDemand' },
            vm: { type: 'string' },
            demandMB: { type: 'integer', minimum: 0, maximum: 1073741824 },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['at', 'action', 'vm'],
          properties: {
            at: { $ref: '#/$defs/duration' },
            action: { const: 'balloonDriver' },
            vm: { type: 'string' },
            rateMBps: VM_SETTINGS.balloonDriverRateMBps,
            limitMB: VM_SETTINGS.balloonDriverLimitMB,
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['at', 'action', 'host'],
          properties: {
            at: { $ref: '#/$defs/duration' },
            action: { enum: ['failHost', 'recoverHost'] },
            host: { type: 'string' },
          },
        },
      ],
      description:
        'an event: { at, action: start|stop|restart, vm }, { at, action: setMemory, vm, settings }, ' +
        '{ at, action: setDemand, vm, demandMB }, { at, action: balloonDriver, vm, rateMBps?, limitMB? } ' +
        'or { at, action: failHost|recoverHost, host }',
    },
  },
} as const;
