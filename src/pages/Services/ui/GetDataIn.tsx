import { Alert } from '@grafana/ui';
import { testIds } from '../../../shared/testIds';

/** The Services page's empty state: the four ways profiles reach ghcprof (README § Pushing, § The agent, § Kubernetes). */
export function GetDataIn({ selector }: { selector: string }) {
  return (
    <Alert
      severity="info"
      title={`No services with profiles for ${selector} in this range`}
      data-testid={testIds.servicesPage.empty}
    >
      <p>
        Profiles of a Haskell service get into ghcprof in one of four ways; label them with <code>service</code> (and{' '}
        <code>pod</code>, <code>version</code>):
      </p>
      <ul>
        <li>
          <strong>Push</strong> from a laptop or CI:{' '}
          <code>ghcprof push app.prof app.hp app.eventlog --label service=api --label version=$GIT_SHA</code>
        </li>
        <li>
          <strong>Agent</strong> as a sidecar beside the service:{' '}
          <code>ghcprof agent --watch /profiles --url http://ghcprof:4040 --token-file …</code>
        </li>
        <li>
          <strong>Node agent</strong>, one per Kubernetes node (DaemonSet): <code>ghcprof agent --layout node</code>{' '}
          (deploy/kubernetes overlays/node)
        </li>
        <li>
          <strong>Profiling Job</strong>: run the profiling build for a bounded time, then{' '}
          <code>ghcprof push --partial</code> (deploy/kubernetes overlays/job)
        </li>
      </ul>
      <p>
        RTS sparklines need the service to run with <code>+RTS -T</code> and an exporter Prometheus scrapes.
      </p>
    </Alert>
  );
}
