/**
 * `ghcprof store rekey`: re-seals every stored blob with a new key (or seals a plain store's blobs for the first
 * time), in batches of small transactions so a server can keep running on the same store. Safe to run again after an
 * interruption: blobs already sealed with the new key are skipped. Only at the end is the old key forgotten, and the
 * store compacted so the old forms of the blobs leave the files.
 */
import { type BlobCipher, type BlobKey, sealedKeyId } from './blob-cipher';
import type { Row, SqlDriver } from './driver';
import { BLOB_COLUMNS } from './schema';

export interface RekeyResult {
  resealed: number;
  skipped: number;
}

/**
 * `driver` is the backend's own (no sealing layer): blobs are read as stored, opened with `cipher` (which must hold
 * the old key), sealed with `to`.
 */
export async function rekeyBlobs(
  driver: SqlDriver,
  cipher: BlobCipher,
  to: BlobKey,
  batchSize = 100
): Promise<RekeyResult> {
  if (cipher.current?.id !== to.id) {
    throw new Error(`rekey: the cipher must seal with the new key ${to.id}`);
  }
  const result: RekeyResult = { resealed: 0, skipped: 0 };
  await driver.execute(`INSERT INTO blob_keys (key_id, first_used_at) VALUES (?, ?) ON CONFLICT (key_id) DO NOTHING`, [
    to.id,
    Date.now(),
  ]);
  for (const { table, column, key } of BLOB_COLUMNS) {
    const keys = await driver.query(`SELECT ${key.join(', ')} FROM ${table} ORDER BY ${key.join(', ')}`);
    const where = key.map((k) => `${k} = ?`).join(' AND ');
    for (let i = 0; i < keys.length; i += batchSize) {
      await driver.transaction(async (tx) => {
        for (const row of keys.slice(i, i + batchSize)) {
          const params = key.map((k) => row[k] as string | number);
          const [stored] = await tx.query<Row>(`SELECT ${column} AS data FROM ${table} WHERE ${where}`, params);
          const data = stored?.data;
          if (!Buffer.isBuffer(data) || sealedKeyId(data) === to.id) {
            result.skipped++;
            continue;
          }
          await tx.execute(`UPDATE ${table} SET ${column} = ? WHERE ${where}`, [
            cipher.seal(cipher.open(data)),
            ...params,
          ]);
          result.resealed++;
        }
      });
    }
  }
  await driver.execute(`DELETE FROM blob_keys WHERE key_id <> ?`, [to.id]);
  // The blobs as they were (plain, or under the old key) would otherwise linger in free pages / dead row versions.
  await driver.execute(driver.dialect.compact);
  return result;
}
