import type { Dialect } from '../driver';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  types: { bigint: 'INTEGER', blob: 'BLOB', serialPrimaryKey: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  // A list is bound as one JSON text parameter, so its length never meets SQLite's parameter limit.
  inTextList: (expr) => `${expr} IN (SELECT value FROM json_each(?))`,
  textList: (values) => JSON.stringify(values),
  // A write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  forUpdate: '',
  // Rebuilds the file: free pages would otherwise keep what was deleted or overwritten.
  compact: 'VACUUM',
};
