import { useState, type DragEvent } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Field, Input, useStyles2 } from '@grafana/ui';
import { testIds } from '../../../shared/testIds';
import type { UploadState } from '../domain/useProfiles';

interface Props {
  upload?: UploadState;
  onUpload: (file: File, labels: string) => void;
}

/** Drag-and-drop (or pick) a .prof / -pj JSON / .hp / .eventlog file, with labels, and watch it upload. */
export function UploadZone({ upload, onUpload }: Props) {
  const styles = useStyles2(getStyles);
  const [labels, setLabels] = useState('service=');
  const [dragging, setDragging] = useState(false);
  const send = (files: FileList | null) => {
    if (files && files.length > 0) {
      Array.from(files).forEach((file) => onUpload(file, labels));
    }
  };
  const onDrop = (event: DragEvent<HTMLLabelElement>) => {
    event.preventDefault();
    setDragging(false);
    send(event.dataTransfer.files);
  };

  return (
    <div className={styles.wrapper}>
      <Field
        label="Labels for the upload"
        description="name=value, comma separated (service is how dashboards find it)"
      >
        <Input
          data-testid={testIds.profilesPage.uploadLabels}
          value={labels}
          onChange={(event) => setLabels(event.currentTarget.value)}
          width={50}
        />
      </Field>
      <label
        data-testid={testIds.profilesPage.dropzone}
        className={dragging ? `${styles.zone} ${styles.dragging}` : styles.zone}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        Drop a GHC profile here (.prof, -pj .json, .hp, .eventlog) or click to choose one
        <input
          data-testid={testIds.profilesPage.fileInput}
          type="file"
          multiple
          hidden
          onChange={(event) => send(event.currentTarget.files)}
        />
      </label>
      {upload && (
        <div className={styles.progress}>
          <span>{upload.fileName}</span>
          <progress data-testid={testIds.profilesPage.progress} max={1} value={upload.fraction} />
          {upload.id && <span>stored as {upload.id}</span>}
          {upload.error && (
            <Alert severity="error" title={`Upload of ${upload.fileName} failed`}>
              {upload.error}
            </Alert>
          )}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ marginBottom: theme.spacing(2) }),
  zone: css({
    display: 'block',
    padding: theme.spacing(3),
    border: `2px dashed ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    color: theme.colors.text.secondary,
    textAlign: 'center',
    cursor: 'pointer',
  }),
  dragging: css({ borderColor: theme.colors.primary.border, background: theme.colors.action.hover }),
  progress: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', marginTop: theme.spacing(1) }),
});
