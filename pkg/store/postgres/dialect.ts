import type { Dialect } from '../driver';

export const postgresDialect: Dialect = {
  name: 'postgres',
  types: { bigint: 'BIGINT', blob: 'BYTEA', serialPrimaryKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' },
  inTextList: (expr) => `${expr} = ANY(?::text[])`,
  textList: (values) => values,
  forUpdate: ' FOR UPDATE',
  // Rewrites the tables: dead row versions would otherwise stay in the data files until reused.
  compact: 'VACUUM FULL',
};
