import { useTheme2 } from '@grafana/ui';

interface Props {
  values: Array<number | null>;
  width?: number;
  height?: number;
  /** What the line shows, for screen readers and the hover title (e.g. "live bytes, last 12 MiB"). */
  title: string;
  testId?: string;
}

/** A small line of a series' shape, scaled to its own min..max (no axes: the table cell says the numbers). */
export function Sparkline({ values, width = 120, height = 28, title, testId }: Props) {
  const theme = useTheme2();
  const points = sparklinePoints(values, width, height);
  return (
    <svg width={width} height={height} role="img" aria-label={title} data-testid={testId}>
      <title>{title}</title>
      {points.includes(' ') ? (
        <polyline points={points} fill="none" stroke={theme.colors.primary.main} strokeWidth={1.5} />
      ) : (
        // One value (a range that saw a single sample): a dot, so the cell does not look empty.
        points !== '' && (
          <circle
            cx={Number(points.split(',')[0])}
            cy={Number(points.split(',')[1])}
            r={2}
            fill={theme.colors.primary.main}
          />
        )
      )}
    </svg>
  );
}

/** SVG polyline points of the non-null values spread evenly over the width, 1px inside the edges. */
export function sparklinePoints(values: Array<number | null>, width: number, height: number): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) {
    return '';
  }
  const min = Math.min(...present);
  const max = Math.max(...present);
  const span = max - min || 1;
  const step = values.length > 1 ? (width - 2) / (values.length - 1) : 0;
  return values
    .map((v, i) =>
      v === null || !Number.isFinite(v)
        ? null
        : `${(1 + i * step).toFixed(1)},${(height - 1 - ((v - min) / span) * (height - 2)).toFixed(1)}`
    )
    .filter((p) => p !== null)
    .join(' ');
}
