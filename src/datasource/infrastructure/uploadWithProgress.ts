import { describeFailure, GhcprofRequestError } from '../domain/errors';

import type { UploadResponse } from '@ghcprof/api/query';

/**
 * Raw upload through the `write` route with upload progress, which getBackendSrv().fetch does not report.
 * Same-origin XHR: Grafana authenticates it with the session cookie like any data proxy call.
 */
export function uploadWithProgress(
  url: string,
  file: Blob,
  onProgress: (fraction: number) => void
): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) {
        onProgress(event.loaded / event.total);
      }
    };
    xhr.onload = () => {
      const data = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(data as UploadResponse);
      } else {
        reject(
          new GhcprofRequestError(
            describeFailure({ status: xhr.status, statusText: xhr.statusText, data }, 'write'),
            xhr.status
          )
        );
      }
    };
    xhr.onerror = () => reject(new GhcprofRequestError(describeFailure({ status: 0 }, 'write'), 0));
    xhr.send(file);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
