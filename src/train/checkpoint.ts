/**
 * A candidate's checkpoint: where each of its trials stands, so that training continues in another
 * invocation (the next halving rung, or the next Train task once one would pass
 * `training.maxTaskSeconds`) exactly as if it had never stopped.
 *
 * Per trial: the epochs trained and their records, the early-stopping state (best value and epoch,
 * epochs without improvement), the position of the seeded Math.random that draws dropout masks (the
 * batch order is replayed: it is a function of the seed and the epochs trained), the model's current
 * weights, the kept best weights,
 * and the optimizer's state (its step count and slots — Adam's first and second moments, per
 * trainable weight, in tf.AdamOptimizer's order, whichever path trained them: the fused dense
 * kernel converts its own layout, src/train/fused-trainer.ts). A trial scored at the checkpoint's budget
 * also carries its record, so a later invocation reuses it instead of training again.
 *
 * One binary object, `runs/<runId>/checkpoints/<candidateId>.ckpt`: the bytes "LBCK", a uint32
 * (little-endian) header length, the JSON header (`layerbench.checkpoint.v1`) in which every float
 * array is a reference `{ "$f32": [offset, length] }`, zero padding to 4 bytes, then the float32 data.
 * Written whole (Store.put), so a reader never sees half of one.
 */
import { z } from 'zod';
import { LayerbenchError } from '../errors.js';
import { epochRecordSchema, layerSummarySchema, trialSchema } from '../results/document.js';

export const CHECKPOINT_SCHEMA = 'layerbench.checkpoint.v1' as const;
const MAGIC = 'LBCK';

const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'must be a float32 array' });

export const trialStateSchema = z.object({
  repeat: z.number().int(),
  fold: z.number().int(),
  /** Epochs trained so far. */
  epoch: z.number().int().min(0),
  /** Early stopping ended the trial, or it reached training.epochs: nothing is left to train. */
  finished: z.boolean(),
  epochs: z.array(epochRecordSchema),
  earlyStopping: z.object({
    /** The best monitored value so far; null before the first epoch. */
    best: z.number().nullable(),
    bestEpoch: z.number().int(),
    wait: z.number().int(),
    stoppedEarly: z.boolean(),
  }),
  /** State of the seeded Math.random (dropout masks). The batch order is replayed from the seed and `epoch`. */
  random: z.number().int(),
  fitSeconds: z.number(),
  inferenceMsPerSample: z.number().nullable(),
  /** The model's weights now (model.getWeights() order); null once the trial is finished. */
  weights: z.array(f32).nullable(),
  weightShapes: z.array(z.array(z.number().int())).nullable(),
  /** The kept best weights (restoreBestWeights); null when there are none. */
  best: z.array(f32).nullable(),
  /** The optimizer's step count and slots (getWeights() order, iterations aside); null once finished. */
  optimizer: z.object({ iterations: z.number().int(), slots: z.array(f32), slotShapes: z.array(z.array(z.number().int())) }).nullable(),
  /** The trial's record, scored with its kept weights at `epoch`; null when paused inside a rung. */
  record: trialSchema.nullable(),
});
export type TrialState = z.infer<typeof trialStateSchema>;

export const candidateCheckpointSchema = z.object({
  schema: z.literal(CHECKPOINT_SCHEMA),
  runId: z.string(),
  candidateId: z.string(),
  startedAt: z.string(),
  backend: z.string(),
  parameterCount: z.number().int().nullable(),
  layers: z.array(layerSummarySchema),
  trials: z.array(trialStateSchema),
  /** Accumulated over every invocation so far. */
  totals: z.object({
    /** Wall time inside the trainer (doc.timing.wallSeconds). */
    wallSeconds: z.number(),
    /** Train tasks, their wall time and CPU time (doc.compute). */
    tasks: z.number().int(),
    taskSeconds: z.number(),
    cpuSeconds: z.number(),
    peakTensorBytes: z.number(),
    peakRssBytes: z.number(),
  }),
  /** The last trial's saved model (runs/<id>/models/<candidate>/), when one was saved. */
  savedModel: z.object({ modelKey: z.string(), preprocessingKey: z.string().optional(), repeat: z.number().int(), fold: z.number().int(), trainRows: z.number().int() }).nullable(),
});
export type CandidateCheckpoint = z.infer<typeof candidateCheckpointSchema>;

/** The checkpoint as one binary object. */
export function encodeCheckpoint(checkpoint: CandidateCheckpoint): Uint8Array {
  const arrays: Float32Array[] = [];
  let floats = 0;
  const header = JSON.stringify(checkpoint, (_key, value: unknown) => {
    if (value instanceof Float32Array) {
      const ref = { $f32: [floats, value.length] };
      arrays.push(value);
      floats += value.length;
      return ref;
    }
    return value;
  });
  const head = new TextEncoder().encode(header);
  const dataAt = align4(8 + head.length);
  const out = new Uint8Array(dataAt + 4 * floats);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, head.length, true);
  out.set(head, 8);
  const data = new Float32Array(out.buffer, dataAt, floats);
  let at = 0;
  for (const a of arrays) {
    data.set(a, at);
    at += a.length;
  }
  return out;
}

/** A checkpoint from its bytes (its arrays are views of them: do not reuse them); a fatal error naming `where` when they are not one. */
export function decodeCheckpoint(bytes: Uint8Array, where: string): CandidateCheckpoint {
  const bad = (why: string) => new LayerbenchError(`${where}: not a ${CHECKPOINT_SCHEMA} checkpoint (${why})`, { code: 'E_CHECKPOINT', kind: 'fatal' });
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw bad('no LBCK header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(4, true);
  const dataAt = align4(8 + headLength);
  if (dataAt > bytes.length || (bytes.length - dataAt) % 4 !== 0) throw bad('truncated');
  // The arrays are views of the bytes (the checkpoint owns them from here): a copy of a large
  // checkpoint's data costs about as much as reading it from the disk. Only bytes at an offset that is
  // no multiple of 4 in their buffer are copied, as a float32 view cannot start there.
  const at = bytes.byteOffset + dataAt;
  const data = at % 4 === 0 ? new Float32Array(bytes.buffer, at, (bytes.length - dataAt) / 4) : new Float32Array(bytes.slice(dataAt).buffer);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLength)), (_key, value: unknown) => {
      const ref = (value as { $f32?: unknown } | null)?.$f32;
      if (Array.isArray(ref) && ref.length === 2) {
        const [offset, length] = ref as [number, number];
        if (!(offset >= 0 && length >= 0 && offset + length <= data.length)) throw new Error(`array [${offset}, ${length}] outside the data`);
        return data.subarray(offset, offset + length);
      }
      return value;
    });
  } catch (err) {
    throw bad((err as Error).message);
  }
  const checkpoint = candidateCheckpointSchema.safeParse(parsed);
  if (!checkpoint.success) {
    const issue = checkpoint.error.issues[0]!;
    throw bad(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return checkpoint.data;
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
