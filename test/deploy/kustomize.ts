/**
 * `kustomize build` for the subset of kustomizations in deploy/kubernetes, so the tests can check what
 * `kubectl apply -k deploy/kubernetes/overlays/<mode>` would apply without kubectl. What it implements, as
 * kustomize documents it (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/):
 *   - `resources` (…/kustomization/resources/): each entry a file of (multi-document) YAML, or a directory holding
 *     a kustomization, accumulated in order; one resource id (group, kind, namespace, name) may be added once
 *     (kustomize: "may not add resource with an already registered id").
 *   - `patches` (…/kustomization/patches/), applied in order, each `path` (relative to the kustomization) or inline
 *     `patch`, with an optional `target` (group, version, kind, name, namespace; name and namespace are "automatically
 *     anchored regular expressions"). A patch whose document is a list is a JSON 6902 patch (RFC 6902: add, remove,
 *     replace, test; kustomize's PatchTransformer tells the two kinds apart the same way) and needs a target; any
 *     other is a strategic-merge patch, which without a target patches the resource with its own kind and name.
 *     Of strategic merge, only `$patch: delete` (delete the resource) and merging maps are implemented: a list in
 *     such a patch needs the Kubernetes merge keys, so it fails here rather than be merged wrongly.
 * Any other kustomization field (namePrefix, labels, images, generators, components, ...) fails the build, so a
 * test can never pass on a kustomization this does not understand.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { Doc } from './support';

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'patches']);
const FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface BuiltResource {
  doc: Doc;
  /** The file it came from, relative to the repository. */
  file: string;
}

export function kustomizationFile(dir: string): string | undefined {
  return FILE_NAMES.map((n) => join(dir, n)).find((p) => existsSync(p));
}

export function kustomizeBuild(dir: string): BuiltResource[] {
  const file = kustomizationFile(dir);
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const k = parse(readFileSync(file, 'utf8')) as Doc;
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization')
    throw new Error(`${file}: expected apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization`);
  for (const field of Object.keys(k))
    if (!KNOWN_FIELDS.has(field)) throw new Error(`${file}: field ${field} is not implemented by this resolver`);
  let resources: BuiltResource[] = [];
  for (const entry of (k.resources ?? []) as string[]) {
    const path = join(dir, entry);
    if (!existsSync(path)) throw new Error(`${file}: resource ${entry} does not exist`);
    const added = statSync(path).isDirectory() ? kustomizeBuild(path) : readResources(path);
    for (const r of added) {
      const clash = resources.find((have) => resourceId(have.doc) === resourceId(r.doc));
      if (clash) throw new Error(`${file}: may not add resource with an already registered id: ${resourceId(r.doc)}`);
      resources.push(r);
    }
  }
  for (const p of (k.patches ?? []) as Doc[]) resources = applyPatch(file, dir, p, resources);
  return resources;
}

function readResources(path: string): BuiltResource[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((d, i) => {
    if (d.errors.length > 0) throw new Error(`${path}: document ${i + 1}: ${d.errors[0].message}`);
    return { doc: d.toJS() as Doc, file: path };
  });
}

/** group/kind/namespace/name, the parts kustomize's resource id compares. */
export function resourceId(doc: Doc): string {
  const group = String(doc.apiVersion).includes('/') ? String(doc.apiVersion).split('/')[0] : '';
  return `${group}/${doc.kind}/${doc.metadata?.namespace ?? ''}/${doc.metadata?.name}`;
}

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

function matches(doc: Doc, t: Target): boolean {
  const [group, version] = String(doc.apiVersion).includes('/')
    ? String(doc.apiVersion).split('/')
    : ['', String(doc.apiVersion)];
  const anchored = (re: string, value: string | undefined) => new RegExp(`^(?:${re})$`).test(value ?? '');
  return (
    (t.group === undefined || t.group === group) &&
    (t.version === undefined || t.version === version) &&
    (t.kind === undefined || t.kind === doc.kind) &&
    (t.name === undefined || anchored(t.name, doc.metadata?.name)) &&
    (t.namespace === undefined || anchored(t.namespace, doc.metadata?.namespace))
  );
}

function applyPatch(file: string, dir: string, p: Doc, resources: BuiltResource[]): BuiltResource[] {
  for (const field of Object.keys(p))
    if (!['path', 'patch', 'target'].includes(field)) throw new Error(`${file}: patch field ${field} not implemented`);
  const where = p.path ? join(dir, p.path) : `${file} (inline patch)`;
  const body = parse(p.path ? readFileSync(join(dir, p.path), 'utf8') : p.patch) as Doc | Doc[];
  const target = p.target as Target | undefined;
  if (target && Object.keys(target).some((k) => !['group', 'version', 'kind', 'name', 'namespace'].includes(k)))
    throw new Error(`${where}: target selector ${Object.keys(target).join(', ')} not implemented`);
  if (Array.isArray(body)) {
    if (!target) throw new Error(`${where}: a JSON 6902 patch needs a target`);
    const hit = resources.filter((r) => matches(r.doc, target));
    if (hit.length === 0) throw new Error(`${where}: the target matches no resource`);
    return resources.map((r) => (hit.includes(r) ? { ...r, doc: json6902(structuredClone(r.doc), body, where) } : r));
  }
  const selector: Target = target ?? {
    kind: body.kind,
    name: escapeRegex(body.metadata?.name),
    ...(body.metadata?.namespace ? { namespace: escapeRegex(body.metadata.namespace) } : {}),
  };
  const hit = resources.filter((r) => matches(r.doc, selector));
  if (hit.length === 0) throw new Error(`${where}: the patch matches no resource`);
  if (body.$patch === 'delete') return resources.filter((r) => !hit.includes(r));
  return resources.map((r) => (hit.includes(r) ? { ...r, doc: mergeMaps(structuredClone(r.doc), body, where) } : r));
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mergeMaps(into: Doc, patch: Doc, where: string): Doc {
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) throw new Error(`${where}: directive ${key} not implemented`);
    if (Array.isArray(value)) throw new Error(`${where}: ${key}: lists in strategic-merge patches not implemented`);
    if (value === null) delete into[key];
    else if (typeof value === 'object' && typeof into[key] === 'object' && into[key] !== null)
      mergeMaps(into[key], value, where);
    else into[key] = value;
  }
  return into;
}

/** RFC 6902 on a plain JSON value: JSON pointers (RFC 6901, `~1` is `/`, `~0` is `~`), ops add/remove/replace/test. */
function json6902(doc: Doc, ops: Doc[], where: string): Doc {
  for (const [i, op] of ops.entries()) {
    const at = `${where}: op ${i + 1} (${op.op} ${op.path})`;
    const parts = String(op.path)
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw new Error(`${at}: the whole document cannot be patched here`);
    let parent: Doc = doc;
    for (const part of parts) {
      parent = parent?.[Array.isArray(parent) ? Number(part) : part];
      if (parent === undefined || parent === null || typeof parent !== 'object') throw new Error(`${at}: no such path`);
    }
    const exists = Array.isArray(parent) ? Number(last) < parent.length : last in parent;
    switch (op.op) {
      case 'test':
        if (JSON.stringify(parent[last]) !== JSON.stringify(op.value))
          throw new Error(`${at}: test failed, found ${JSON.stringify(parent[last])}`);
        break;
      case 'remove':
        if (!exists) throw new Error(`${at}: nothing to remove`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      case 'replace':
        if (!exists) throw new Error(`${at}: nothing to replace`);
        parent[Array.isArray(parent) ? Number(last) : last] = op.value;
        break;
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
        else parent[last] = op.value;
        break;
      default:
        throw new Error(`${at}: op not implemented`);
    }
  }
  return doc;
}
