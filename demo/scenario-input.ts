// What the scenario tab runs: the built-in scenario on the bundled sample, dropped Bitbrains traces on the same host,
// or a dropped scenario JSON; and where its traces come from (the dropped files, else the sample served beside the
// page). Runs in the scenario worker.
import { type DemandTrace, parseTraceText, type Scenario, type TraceLoader } from 'dynmem';
import { defaultScenario } from '../dist/src/cli/default-scenario.js';
import { traceText } from '../dist/src/sim/trace-loader.js';

/** The bundled sample's folder beside the page (vite.config.js serves data/ at the page's root). */
export const SAMPLE_FOLDER = 'bitbrains-sample';
/** The folder name dropped trace files are listed under (and named by in the report). */
const DROPPED_FOLDER = 'dropped';
/** A path into the bundled sample, wherever a scenario file put it ("data/bitbrains-sample/1.csv.gz" too). */
const SAMPLE_PATH = /(?:^|[\\/])bitbrains-sample(?:[\\/]([^\\/]+))?[\\/]?$/;

const isJson = (file: File) => file.name.toLowerCase().endsWith('.json');
const byNaturalName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
const baseName = (path: string) => path.split(/[\\/]/).pop()!;

/** The bundled sample's and Bitbrains' sample interval, s: dropped traces run for whole steps of it. */
const TRACE_STEP_SECONDS = 300;
/** Samples a run of dropped traces keeps at most (a 30-day trace: one every 30 min; each keeps its interval's peaks). */
const MAX_SAMPLES = 1440;

/**
 * The scenario the files describe: none, the built-in one; a JSON, that scenario; traces, the built-in host on
 * them for as long as the longest runs (read through `loader`, which keeps them for the run).
 */
export async function scenarioOf(files: File[], loader: TraceLoader): Promise<Scenario> {
  if (files.length === 0) return defaultScenario(SAMPLE_FOLDER);
  const json = files.filter(isJson);
  if (json.length > 1) throw new Error(`Drop one scenario JSON at a time, not ${json.length}.`);
  if (json.length === 1) {
    try {
      return JSON.parse(await json[0]!.text()) as Scenario;
    } catch (error) {
      throw new Error(`${json[0]!.name}: not valid JSON (${(error as Error).message}).`);
    }
  }
  let spanSeconds = 0;
  for (const path of await loader.list(DROPPED_FOLDER))
    for (const trace of await loader.read(path)) spanSeconds = Math.max(spanSeconds, trace.times.at(-1) ?? 0);
  const duration = Math.max(1, Math.floor(spanSeconds / TRACE_STEP_SECONDS)) * TRACE_STEP_SECONDS;
  const traces = `${files.length} dropped trace file${files.length === 1 ? '' : 's'}`;
  return {
    ...defaultScenario(DROPPED_FOLDER),
    name: `Pooled VDI host, ${traces}`,
    duration,
    sampleInterval: Math.max(60, Math.ceil(duration / MAX_SAMPLES / 60) * 60),
    // The built-in scenario's restarts name sample VMs: dropped traces run without them.
    events: [],
  };
}

/**
 * Traces by name from the dropped files, else from the bundled sample by URL relative to `pageUrl`; a fleet's
 * folder lists the sample when it names it, else every dropped trace (a browser sees no folders). Each file is
 * read once (`onRead` is called then) and kept.
 */
export function demoTraceLoader(files: File[], pageUrl: string, onRead: () => void): TraceLoader {
  const dropped = new Map(files.filter((f) => !isJson(f)).map((f) => [f.name, f]));
  const read = new Map<string, Promise<DemandTrace[]>>();
  const bytesOf = async (path: string): Promise<Uint8Array<ArrayBuffer>> => {
    const file = dropped.get(path) ?? dropped.get(baseName(path));
    if (file) return new Uint8Array(await file.arrayBuffer());
    const sampleFile = SAMPLE_PATH.exec(path)?.[1];
    if (sampleFile === undefined) throw new Error(`${path}: not among the dropped files; drop it with the scenario.`);
    const response = await fetch(new URL(`${SAMPLE_FOLDER}/${sampleFile}`, pageUrl));
    if (!response.ok) throw new Error(`${path}: cannot fetch the bundled sample (HTTP ${response.status}).`);
    return new Uint8Array(await response.arrayBuffer());
  };
  return {
    async list(pattern) {
      if (SAMPLE_PATH.test(pattern) && SAMPLE_PATH.exec(pattern)![1] === undefined)
        return __SAMPLE_FILES__.map((name) => `${SAMPLE_FOLDER}/${name}`);
      if (dropped.size === 0) throw new Error(`${pattern}: drop the folder's trace files with the scenario.`);
      return [...dropped.keys()].sort(byNaturalName).map((name) => `${DROPPED_FOLDER}/${name}`);
    },
    read(path) {
      let traces = read.get(path);
      if (traces === undefined) {
        traces = bytesOf(path).then(async (bytes) => {
          const parsed = parseTraceText(await traceText(bytes), path);
          onRead();
          return parsed;
        });
        read.set(path, traces);
      }
      return traces;
    },
  };
}
