/**
 * Crash-safe file writes for the spool: write a temporary file, fsync it, rename it over the target and fsync the
 * directory, so after a power cut or a SIGKILL the target holds either the old or the new content, never a mix.
 */
import { open, rename } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

export async function writeFileDurably(path: string, data: Buffer | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  await syncDirectory(dirname(path));
}

/** Makes a rename or unlink in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
