/**
 * `ghcprof push FILE...`: upload artefacts from a laptop or a CI job. Each file is streamed from disk (optionally
 * through gzip); transient failures are retried with backoff until `retry.deadlineMs`; a 4xx is reported with the
 * server's message and not retried. One result line per file on stdout: `ID<TAB>FILE<TAB>created|existing`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { uploadProfile, type ServerTarget } from './client';
import type { Labels } from './labels';
import { ProgressBar } from './progress';
import { withRetry, type RetryPolicy } from './retry';

export interface PushOptions {
  files: string[];
  target: ServerTarget;
  labels: Labels;
  gzip: boolean;
  /** Store the complete part of a cut-off artefact (e.g. the eventlog of a killed program) instead of refusing it. */
  partial?: boolean;
  retry: RetryPolicy;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

export interface PushResult {
  file: string;
  id?: string;
  created?: boolean;
  error?: string;
}

export const DEFAULT_PUSH_RETRY: RetryPolicy = { baseMs: 500, maxMs: 10_000, deadlineMs: 60_000 };

export async function push(opts: PushOptions): Promise<PushResult[]> {
  const results: PushResult[] = [];
  for (const file of opts.files) results.push(await pushOne(file, opts));
  return results;
}

async function pushOne(file: string, opts: PushOptions): Promise<PushResult> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (err) {
    return fail(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message, opts);
  }
  const bar = opts.stdout.isTTY ? new ProgressBar((t) => opts.stdout.write(t), basename(file), size) : null;
  try {
    const stored = await withRetry(
      () => {
        bar?.reset();
        return uploadProfile(opts.target, opts.labels, {
          body: () => createReadStream(file),
          gzip: opts.gzip,
          partial: opts.partial,
          onBytes: (n) => bar?.add(n),
        });
      },
      opts.retry,
      {
        onRetry: (err, delayMs) => {
          bar?.clear();
          opts.stderr.write(`ghcprof push: ${file}: ${err.message}; retrying in ${(delayMs / 1000).toFixed(1)}s\n`);
        },
      }
    );
    bar?.clear();
    opts.stdout.write(`${stored.id}\t${file}\t${stored.created ? 'created' : 'existing'}\n`);
    return { file, id: stored.id, created: stored.created };
  } catch (err) {
    bar?.clear();
    return fail(file, (err as Error).message, opts);
  }
}

function fail(file: string, message: string, opts: PushOptions): PushResult {
  opts.stderr.write(`ghcprof push: ${file}: ${message}\n`);
  return { file, error: message };
}
