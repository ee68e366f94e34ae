import { type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, SecretInput } from '@grafana/ui';
import { testIds } from '../../shared/testIds';
import type { GhcprofOptions, GhcprofSecureOptions } from '../types';

type Props = DataSourcePluginOptionsEditorProps<GhcprofOptions, GhcprofSecureOptions>;
type TokenKey = keyof GhcprofSecureOptions;

const TOKENS: Array<{ key: TokenKey; label: string; description: string; testId: string }> = [
  {
    key: 'readToken',
    label: 'Read token',
    description: 'ghcprof token create --scope read; used for every query (route "read", Viewer and up)',
    testId: testIds.configEditor.readToken,
  },
  {
    key: 'writeToken',
    label: 'Upload token',
    description: 'Scope write; lets Editors upload profiles (route "write"). Leave empty to disable uploads.',
    testId: testIds.configEditor.writeToken,
  },
  {
    key: 'adminToken',
    label: 'Admin token',
    description: 'Scope admin; lets Admins delete profiles (route "admin"). Leave empty to disable deletes.',
    testId: testIds.configEditor.adminToken,
  },
];

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = options.secureJsonData ?? {};

  const setJson = (key: keyof GhcprofOptions) => (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: event.target.value.trim() } });
  const setToken = (key: TokenKey) => (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, [key]: event.target.value.trim() } });
  const resetToken = (key: TokenKey) => () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, [key]: false },
      secureJsonData: { ...secureJsonData, [key]: '' },
    });

  return (
    <>
      <FieldSet label="ghcprof server">
        <Field label="URL" description="Where ghcprof serve listens, as Grafana's server reaches it" required>
          <Input
            width={60}
            data-testid={testIds.configEditor.url}
            value={jsonData.url ?? ''}
            placeholder="http://ghcprof:4040"
            onChange={setJson('url')}
          />
        </Field>
        {TOKENS.map((token) => (
          <Field key={token.key} label={token.label} description={token.description}>
            <SecretInput
              width={60}
              data-testid={token.testId}
              isConfigured={Boolean(secureJsonFields?.[token.key])}
              value={secureJsonData[token.key] ?? ''}
              placeholder="ghcprof token"
              onChange={setToken(token.key)}
              onReset={resetToken(token.key)}
            />
          </Field>
        ))}
      </FieldSet>
      <FieldSet label="Defaults">
        <Field
          label="Prometheus URL"
          description="Optional: the Prometheus that scrapes your services' GHC RTS metrics, as browsers reach it; the app links its RTS charts there. ghcprof serve queries its own --prometheus-url."
        >
          <Input
            width={60}
            data-testid={testIds.configEditor.prometheusUrl}
            value={jsonData.prometheusUrl ?? ''}
            placeholder="http://prometheus:9090"
            onChange={setJson('prometheusUrl')}
          />
        </Field>
        <Field label="Split label" description="Label that keeps processes of one service apart in heap timelines">
          <Input
            width={30}
            data-testid={testIds.configEditor.splitLabel}
            value={jsonData.splitLabel ?? ''}
            placeholder="pod"
            onChange={setJson('splitLabel')}
          />
        </Field>
      </FieldSet>
    </>
  );
}
