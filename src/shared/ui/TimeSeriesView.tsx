import { useEffect, useRef, useState } from 'react';
import type { DataFrame, TimeRange } from '@grafana/data';
import { LegendDisplayMode } from '@grafana/schema';
import { TimeSeries } from '@grafana/ui';

interface Props {
  frames: DataFrame[];
  range: TimeRange;
  height: number;
  testId?: string;
}

/** A time series chart over the page's range (uPlot via @grafana/ui), as wide as its container. */
export function TimeSeriesView({ frames, range, height, testId }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const width = useWidth(container);
  return (
    <div ref={container} data-testid={testId} style={{ width: '100%' }}>
      {width > 0 && (
        <TimeSeries
          frames={frames}
          timeRange={range}
          timeZone="browser"
          width={width}
          height={height}
          legend={{ showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] }}
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
