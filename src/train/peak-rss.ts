/**
 * A process's peak resident set size is the peak of its whole life, so a worker that trains many
 * candidates would report its largest one for every later one. On Linux the peak can be reset to the
 * current size (`echo 5 > /proc/self/clear_refs`; this resets both VmHWM and getrusage's maxrss), so a
 * candidate's peak is its own. Elsewhere the figure stays the process's and is labelled so.
 */
import { writeFileSync } from 'node:fs';

export type PeakRssScope = 'candidate' | 'process';

/** Reset the process's peak RSS to what it uses now; says what a peak read afterwards covers. */
export function resetPeakRss(): PeakRssScope {
  if (process.platform !== 'linux') return 'process';
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return 'candidate';
  } catch {
    return 'process';
  }
}
