/** A stand-in for stderr that records what is written: a terminal 100 columns wide, or a pipe. */
import { Writable } from 'node:stream';

export function recordingStream(tty: boolean): { s: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const w = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  w.isTTY = tty;
  w.columns = 100;
  // cli-progress moves the cursor on a terminal stream.
  Object.assign(w, { cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { s: w, text: () => text };
}
