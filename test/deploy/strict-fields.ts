/**
 * Unknown fields. kubernetes-models' validators check types, enums and required fields, but accept any extra
 * property, so a misspelt `subPathExp` or `readOnlyRootFileSystem` would pass them (and a real API server would
 * refuse it under kubectl's strict field validation, or drop it silently under the old default). The same package
 * ships a TypeScript interface per Kubernetes type; type-checking every object as an object literal of its kind's
 * interface makes TypeScript's excess-property check find every field Kubernetes does not define, at any depth.
 */
import ts from 'typescript';
import { join } from 'node:path';
import type { Doc } from './support';

/** `kind -> module of kubernetes-models` for the kinds the manifests use (the interface is `I<kind>`). */
export const MODEL_MODULES: Record<string, string> = {
  Namespace: 'v1/Namespace',
  Service: 'v1/Service',
  Secret: 'v1/Secret',
  PersistentVolumeClaim: 'v1/PersistentVolumeClaim',
  Deployment: 'apps/v1/Deployment',
  DaemonSet: 'apps/v1/DaemonSet',
  Job: 'batch/v1/Job',
  CronJob: 'batch/v1/CronJob',
  NetworkPolicy: 'networking.k8s.io/v1/NetworkPolicy',
};

/** The type errors of `objects` against their kinds' interfaces, each naming the object (`Kind/name: message`). */
export function typeErrors(objects: readonly Doc[]): string[] {
  const lines = objects.map((o, i) => {
    const module = MODEL_MODULES[o.kind];
    if (!module) throw new Error(`no kubernetes-models module known for kind ${o.kind}`);
    return `const o${i}: import('kubernetes-models/${module}').I${o.kind} = ${JSON.stringify(o)};`;
  });
  const file = join(process.cwd(), '__manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, lines.join('\n'), language) : read(name, language, ...rest);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const o = objects[line];
    const what = o ? `${o.kind}/${o.metadata?.name}` : '(manifests)';
    return `${what}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
