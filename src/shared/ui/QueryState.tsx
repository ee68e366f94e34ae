import type { ReactNode } from 'react';
import type { DataFrame } from '@grafana/data';
import { Alert, LoadingPlaceholder } from '@grafana/ui';
import { NOTHING_TO_SHOW_CODES, type GhcprofRequestError } from '../../datasource/domain/errors';

interface Props {
  title: string;
  loading: boolean;
  error?: Error;
  frames?: DataFrame[];
  errorTestId?: string;
  noticeTestId?: string;
  children: (frames: DataFrame[]) => ReactNode;
}

/** Loading, the error in the data source's words, the server's notices (e.g. the empty state), or the content. */
export function QueryState({ title, loading, error, frames, errorTestId, noticeTestId, children }: Props) {
  if (error && NOTHING_TO_SHOW_CODES.includes((error as GhcprofRequestError).code ?? '')) {
    return (
      <Alert severity="info" title={`No ${title}`}>
        {error.message}
      </Alert>
    );
  }
  if (error) {
    return (
      <Alert severity="error" title={`${title} failed`} data-testid={errorTestId}>
        {error.message}
      </Alert>
    );
  }
  if (loading && !frames) {
    return <LoadingPlaceholder text={`Loading ${title.toLowerCase()}...`} />;
  }
  const notices = (frames ?? []).flatMap((frame) => frame.meta?.notices ?? []);
  const empty =
    (frames ?? []).every((frame) => frame.length === 0) ||
    (frames ?? []).some((frame) => frame.meta?.custom?.noProfiles);
  return (
    <>
      {notices.map((notice, index) => (
        <Alert
          key={index}
          severity={notice.severity === 'error' ? 'error' : notice.severity === 'warning' ? 'warning' : 'info'}
          title={notice.text}
          data-testid={noticeTestId}
        />
      ))}
      {!empty && children(frames ?? [])}
    </>
  );
}
