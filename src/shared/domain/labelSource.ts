import type { GhcprofDataSource } from '../../datasource/datasource';
import type { LabelSource } from '../ui/LabelSelectorField';

/** Autocomplete through the data source, so selectors with template variables scope the suggestions too. */
export function labelSourceOf(datasource: GhcprofDataSource): LabelSource {
  const texts = (values: Array<{ text: string }>) => values.map((value) => value.text);
  return {
    labelNames: (selector) => datasource.metricFind({ refId: 'names', kind: 'labelNames', selector }).then(texts),
    labelValues: (label, selector) =>
      datasource.metricFind({ refId: 'values', kind: 'labelValues', label, selector }).then(texts),
  };
}
