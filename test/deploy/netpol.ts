/**
 * Enough of NetworkPolicy's semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/)
 * to ask "may this pod reach that pod on this port" of the manifests: a pod selected by no policy of a direction is
 * open in that direction; a selected one accepts what any rule of any selecting policy allows. A peer with both
 * namespaceSelector and podSelector needs both; podSelector alone means the policy's namespace; an empty selector
 * matches everything. Ports may be numbers or the target container's port names. matchExpressions, ipBlock and
 * endPort are not used by the manifests and fail loudly.
 */
import type { Doc } from './support';

export interface PodRef {
  namespace: string;
  labels: Record<string, string>;
  /** Container ports by name (to resolve named ports on the receiving side). */
  ports?: Record<string, number>;
}

export const namespaceLabels = (namespace: string): Record<string, string> => ({
  'kubernetes.io/metadata.name': namespace,
});

export function selects(selector: Doc | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  if (selector.matchExpressions) throw new Error('matchExpressions: not implemented');
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function peerMatches(peer: Doc, policyNamespace: string, pod: PodRef): boolean {
  if (peer.ipBlock) throw new Error('ipBlock: not implemented');
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaceLabels(pod.namespace))
    : pod.namespace === policyNamespace;
  return nsOk && (peer.podSelector === undefined || selects(peer.podSelector, pod.labels));
}

function portMatches(rulePorts: Doc[] | undefined, port: number, protocol: string, receiver: PodRef): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if (p.endPort) throw new Error('endPort: not implemented');
    const number = typeof p.port === 'string' ? receiver.ports?.[p.port] : p.port;
    return (p.protocol ?? 'TCP') === protocol && (p.port === undefined || number === port);
  });
}

/** May `from` open a connection to `to` on `port`? Both directions: from's egress and to's ingress. */
export function allowed(policies: Doc[], from: PodRef, to: PodRef, port: number, protocol = 'TCP'): boolean {
  return (
    direction(policies, 'Egress', from, to, port, protocol) && direction(policies, 'Ingress', to, from, port, protocol)
  );
}

function direction(
  policies: Doc[],
  type: 'Ingress' | 'Egress',
  subject: PodRef,
  peer: PodRef,
  port: number,
  protocol: string
): boolean {
  const applying = policies.filter(
    (p) =>
      p.metadata.namespace === subject.namespace &&
      selects(p.spec.podSelector, subject.labels) &&
      (p.spec.policyTypes ?? ['Ingress']).includes(type)
  );
  if (applying.length === 0) return true;
  const receiver = type === 'Ingress' ? subject : peer;
  return applying.some((p) =>
    ((type === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? []).some(
      (rule: Doc) =>
        (rule[type === 'Ingress' ? 'from' : 'to'] ?? [{ namespaceSelector: {} }]).some((peerSpec: Doc) =>
          peerMatches(peerSpec, p.metadata.namespace, peer)
        ) && portMatches(rule.ports, port, protocol, receiver)
    )
  );
}
