/**
 * Small builders for DataFrameJSON: a frame is a list of columns, each with its schema and its values. Every frame
 * builder in pkg/frames goes through these, so the wire form is decided in one place.
 */
import type { DataFrameJSON, FieldConfigJSON, FieldSchemaJSON, FieldTypeName, FrameMetaJSON } from '../api/dataframe';

export interface Column {
  schema: FieldSchemaJSON;
  values: unknown[];
}

export function column(
  name: string,
  type: FieldTypeName,
  values: unknown[],
  config: FieldConfigJSON = {},
  labels?: Record<string, string>
): Column {
  const schema: FieldSchemaJSON = { name, type, config };
  if (labels !== undefined && Object.keys(labels).length > 0) {
    schema.labels = labels;
  }
  return { schema, values };
}

/**
 * An enum column: each value is an index into `config.type.enum.text`, so a name repeated in thousands of rows
 * travels once.
 */
export function enumColumn(name: string, texts: string[]): Column {
  const index = new Map<string, number>();
  const names: string[] = [];
  const values = texts.map((t) => {
    let i = index.get(t);
    if (i === undefined) {
      i = names.length;
      names.push(t);
      index.set(t, i);
    }
    return i;
  });
  return column(name, 'enum', values, { type: { enum: { text: names } } });
}

export interface FrameHead {
  name?: string;
  refId?: string;
  meta?: FrameMetaJSON;
}

export function frame(head: FrameHead, columns: Column[]): DataFrameJSON {
  const schema: DataFrameJSON['schema'] = { fields: columns.map((c) => c.schema) };
  if (head.name !== undefined) {
    schema.name = head.name;
  }
  if (head.refId !== undefined) {
    schema.refId = head.refId;
  }
  if (head.meta !== undefined) {
    schema.meta = head.meta;
  }
  return { schema, data: { values: columns.map((c) => c.values) } };
}

export { formatLabels } from '../api/dataframe';

/** The ghcprof datasource instance that links in frames point at. */
export interface DatasourceRef {
  datasourceUid: string;
  datasourceName: string;
}

/**
 * Field config with a data link that re-queries the datasource (a Grafana "internal" link) for the flame graph of the
 * clicked profile id (`${__value.raw}` is the cell's value).
 */
export function flamegraphLinkConfig(ds: DatasourceRef, title: string): FieldConfigJSON {
  return {
    links: [
      {
        title,
        url: '',
        internal: {
          datasourceUid: ds.datasourceUid,
          datasourceName: ds.datasourceName,
          query: { queryType: 'flamegraph', profileIds: ['${__value.raw}'] },
        },
      },
    ],
  };
}
