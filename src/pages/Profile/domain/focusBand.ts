import type { DataFrame } from '@grafana/data';
import { formatLabels } from '@ghcprof/api/dataframe';

/** A band of one series of the heap timeline: what a leak-table row links to. */
export interface BandRef {
  series: string;
  band: string;
}

/**
 * The heap timeline with only `focus` drawn: every other band is hidden from the chart (still listed in the legend,
 * where a click brings it back, as Grafana's own series toggle does). Frames of other series hide all their bands.
 */
export function focusBand(frames: DataFrame[], focus: BandRef | undefined): DataFrame[] {
  if (!focus) {
    return frames;
  }
  return frames.map((frame) => ({
    ...frame,
    fields: frame.fields.map((field) => {
      if (field.type === 'time' || (field.name === focus.band && formatLabels(field.labels ?? {}) === focus.series)) {
        return field;
      }
      return {
        ...field,
        config: {
          ...field.config,
          custom: { ...field.config.custom, hideFrom: { viz: true, legend: false, tooltip: true } },
        },
      };
    }),
  }));
}
