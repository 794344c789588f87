/**
 * Where a Train task's time goes, phase by phase: what benchmarks/overhead.ts reports, and what a
 * task returns beside its status (TrainOutput.phases). Wall-clock milliseconds summed per phase; what
 * no phase claims is the rest of the task (dispatch, bookkeeping).
 */
export const TASK_PHASES = [
  /** The backend's first start in this process (tfjs, wasm, our kernels); ~0 once warm. */
  'backend',
  /** The run's context, the item's candidate, the halving state and the checkpoint read from the store. */
  'storeReads',
  /** The dataset: the prepared binary read (or the CSV read and parsed), each split's encoding, tensors. */
  'data',
  /** Models built, weights and optimizer state restored, the fused trainer set up. */
  'modelBuild',
  /** The epochs, validation each epoch included. */
  'training',
  /** After training: the kept weights scored on validation (row by row), training and test rows; inference latency. */
  'scoring',
  /** The last trial's model and preprocessing saved. */
  'modelSave',
  /** Where each trial stands, taken from the model and optimizer and written as the checkpoint. */
  'checkpoint',
  /** The candidate's document written. */
  'storeWrites',
] as const;
export type TaskPhase = (typeof TASK_PHASES)[number];

/** Seconds per phase (phases that took no time are absent). */
export type PhaseSeconds = Partial<Record<TaskPhase, number>>;

export class PhaseClock {
  private readonly ms = new Map<TaskPhase, number>();

  /** Run `fn`, adding its wall time to `phase` (also when it throws). */
  async time<T>(phase: TaskPhase, fn: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(phase, performance.now() - start);
    }
  }

  add(phase: TaskPhase, ms: number): void {
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + ms);
  }

  seconds(): PhaseSeconds {
    return Object.fromEntries(TASK_PHASES.filter((p) => this.ms.has(p)).map((p) => [p, Math.round(this.ms.get(p)!) / 1000]));
  }
}
