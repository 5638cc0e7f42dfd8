// A plan's errors: a field that cannot be used, and a plan stopped before it finished.
import { ScenarioError } from '../sim/scenario.ts';
import type { PlanRun } from './types.ts';

/** A plan that cannot run: `path` names the field (`targets.shortfallPercent`), `file`/`line` the data. */
export class PlanError extends ScenarioError {
  constructor(path: string, message: string, where: { file?: string; line?: number } = {}) {
    super(path, message, where);
    this.name = 'PlanError';
  }
}

/** plan() was stopped by its signal; `runs` are those that finished (kept in the cache, if there is one). */
export class PlanStopped extends Error {
  readonly runs: PlanRun[];
  constructor(runs: PlanRun[]) {
    super(`stopped after ${runs.length} run(s); the finished runs are kept.`);
    this.name = 'PlanStopped';
    this.runs = runs;
  }
}
