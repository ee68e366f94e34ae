import { useEffect, useMemo, useRef, useState } from 'react';
import { applyFieldOverrides, FieldColorModeId, type DataFrame, type TimeRange } from '@grafana/data';
import { LegendDisplayMode } from '@grafana/schema';
import { TimeSeries, useTheme2 } from '@grafana/ui';

interface Props {
  frames: DataFrame[];
  range: TimeRange;
  height: number;
  testId?: string;
  /** Stack the series as areas (heap bands add up to the heap). */
  stacked?: boolean;
  /** Legend as a table with these reducers (`lastNotNull`, `max`); default a plain list. */
  legendCalcs?: string[];
}

const LINES = { drawStyle: 'line', lineWidth: 1, fillOpacity: 0, showPoints: 'never', spanNulls: true };
const AREAS = { ...LINES, fillOpacity: 60, stacking: { mode: 'normal', group: 'A' } };

/** A time series chart over the page's range (uPlot via @grafana/ui), as wide as its container. */
export function TimeSeriesView({ frames, range, height, testId, stacked = false, legendCalcs }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const width = useWidth(container);
  const theme = useTheme2();
  // What a panel does before drawing: panel defaults under each field's own config (server units win), then
  // display processors and series indexes per field (applyFieldOverrides), so axes, legend and colours work.
  const prepared = useMemo(() => {
    const custom = stacked ? AREAS : LINES;
    const withDefaults = frames.map((frame) => ({
      ...frame,
      fields: frame.fields.map((field) => ({
        ...field,
        config: {
          color: { mode: FieldColorModeId.PaletteClassic },
          ...field.config,
          custom: { ...custom, ...field.config.custom },
        },
      })),
    }));
    return applyFieldOverrides({
      data: withDefaults,
      fieldConfig: { defaults: {}, overrides: [] },
      replaceVariables: (value) => value,
      theme,
      timeZone: 'browser',
    });
  }, [frames, theme, stacked]);
  return (
    <div ref={container} data-testid={testId} style={{ width: '100%' }}>
      {width > 0 && (
        <TimeSeries
          frames={prepared}
          timeRange={range}
          timeZone="browser"
          width={width}
          height={height}
          legend={{
            showLegend: true,
            displayMode: legendCalcs ? LegendDisplayMode.Table : LegendDisplayMode.List,
            placement: 'bottom',
            calcs: legendCalcs ?? [],
          }}
        />
      )}
    </div>
  );
}

function useWidth(ref: React.RefObject<HTMLDivElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) {
      return;
    }
    setWidth(element.clientWidth);
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver((entries) => setWidth(Math.floor(entries[0].contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
