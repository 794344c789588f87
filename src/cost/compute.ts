/**
 * What a candidate's training used, as its Train tasks measured it: the `compute` record of a
 * candidate document (src/results/document.ts holds it) and what every cost estimate starts from.
 */
import { z } from 'zod';

export const computeSchema = z.object({
  /** Train tasks (Lambda invocations, or local worker tasks) that trained the candidate. */
  tasks: z.number().int(),
  /** Their wall time from start to end: what Lambda bills (memory × duration). */
  taskSeconds: z.number(),
  /** CPU time (user + system) of the process during those tasks. */
  cpuSeconds: z.number(),
  /** Where they ran: a Lambda function, or a local worker process. */
  platform: z.enum(['lambda', 'local']),
  /** The Lambda function's configured memory; null locally. */
  memoryMb: z.number().int().nullable(),
  architecture: z.enum(['arm64', 'x86_64']),
});
export type Compute = z.infer<typeof computeSchema>;
