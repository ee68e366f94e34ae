/**
 * `--redact` on the client side (push, agent): secrets in an artefact's command line never leave the host. GHC
 * writes the command line at the very start of every artefact (the .prof header, the .hp JOB line, the eventlog's
 * ProgramArgs/ProgramEnv events right after its header), so only the first REDACT_HEAD_BYTES of a body are held back
 * and redacted (formats/redact.ts; sizes are kept), and the rest streams through untouched. The server redacts the
 * whole artefact again (on by default), so this is about what crosses the network and what a proxy might log.
 */
import { Transform } from 'node:stream';
import { redactArtefact } from '../formats/redact';

export const REDACT_HEAD_BYTES = 1 << 20;

export function redactingHead(headBytes = REDACT_HEAD_BYTES): Transform {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let passing = false;
  const release = (stream: Transform) => {
    passing = true;
    stream.push(redactArtefact(Buffer.concat(held)).bytes);
    held = [];
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (passing) return done(null, chunk);
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes >= headBytes) release(this);
      done();
    },
    flush(done) {
      if (!passing) release(this);
      done();
    },
  });
}
