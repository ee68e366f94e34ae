import type { DataFrame } from '@grafana/data';
import { FlameGraph } from '@grafana/flamegraph';
import { config } from '@grafana/runtime';

interface Props {
  frame: DataFrame;
  testId?: string;
  vertical?: boolean;
}

/** Grafana's own flame graph (flame graph, top table, sandwich, search) on the server's nested-set frame. */
export function FlameGraphView({ frame, testId, vertical }: Props) {
  return (
    <div data-testid={testId}>
      <FlameGraph data={frame} getTheme={() => config.theme2} vertical={vertical} showAnalyzeWithAssistant={false} />
    </div>
  );
}
