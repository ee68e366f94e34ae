import type { DataFrame } from '@grafana/data';
import { FlameGraph } from '@grafana/flamegraph';
import { config } from '@grafana/runtime';

interface Props {
  frame: DataFrame;
  testId?: string;
  vertical?: boolean;
  /** The component fills its container's height, as in a panel. */
  height?: number;
}

/** Grafana's own flame graph (flame graph, top table, sandwich, search) on the server's nested-set frame. */
export function FlameGraphView({ frame, testId, vertical, height = 640 }: Props) {
  return (
    <div data-testid={testId} style={{ height, overflow: 'auto' }}>
      <FlameGraph data={frame} getTheme={() => config.theme2} vertical={vertical} showAnalyzeWithAssistant={false} />
    </div>
  );
}
