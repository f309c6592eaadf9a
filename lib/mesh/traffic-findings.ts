/**
 * Findings about traffic policy over plain manifests: what Istio's validation webhook rejects
 * (the rules in `istio-validation.ts`, shared with the constructs), and settings that Istio accepts
 * but that do something else in the mesh than they seem to (a mirror that copies nothing, or the
 * served requests too; outlier detection that can eject a subset's only pod).
 */
import { CODES, Finding, FindingCode, Severity } from './findings';
import { destinationRuleIssues, gatewayIssues, mirrorCopiesNothing, virtualServiceIssues } from './istio-validation';
import { DestinationJson, HttpRouteJson, JsonObject, PercentJson } from './json';
import { configHost, Manifest, serviceHost } from './manifests';
import { groupOf } from './shape';
import { DEFAULT_NAMESPACE } from '../model/names';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

interface Ref {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

function refOf(m: Manifest): Ref {
  return { kind: m.kind ?? '?', namespace: m.metadata?.namespace ?? DEFAULT_NAMESPACE, name: m.metadata?.name ?? '?' };
}

function make(code: FindingCode, ref: Ref, message: string): Finding {
  const known: { severity: Severity; istioCode: string | undefined } = CODES[code];
  return {
    severity: known.severity,
    code,
    ...(known.istioCode !== undefined ? { istioCode: known.istioCode } : {}),
    ...ref,
    message,
  };
}

/** `value` if it is a JSON object (read as `T`, whose fields are still checked before use). */
function obj<T extends object = JsonObject>(value: unknown): T | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as T : undefined;
}

function isIstio(m: Manifest, kind: string): boolean {
  return m.kind === kind && groupOf(m.apiVersion ?? '') === 'networking.istio.io';
}

/** Every traffic-policy finding about `manifests`. */
export function checkTrafficPolicies(manifests: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  const valid = manifests.filter((m): m is Manifest => obj(m) !== undefined);
  for (const m of valid) {
    if (groupOf(m.apiVersion ?? '') !== 'networking.istio.io') {
      continue;
    }
    const issues = isIstio(m, 'VirtualService') ? virtualServiceIssues(m.spec)
      : isIstio(m, 'DestinationRule') ? destinationRuleIssues(m.spec)
        : isIstio(m, 'Gateway') ? gatewayIssues(m.metadata?.name, m.spec) : [];
    for (const issue of issues) {
      findings.push(make('rejected-by-istio', refOf(m), `${issue.path} ${issue.message}; Istio's validation webhook rejects the object, so kubectl apply fails`));
    }
    if (isIstio(m, 'VirtualService')) {
      findings.push(...mirrorFindings(m));
    }
  }
  findings.push(...outlierFindings(valid));
  return findings;
}

/**
 * The mirrors of a rule, `mirror` (with `mirrorPercentage`) and each of `mirrors`, which pilot
 * turns into the same mirror policies (`route.go`): every request the rule takes, or the share
 * given, is copied.
 */
function mirrorsOf(rule: HttpRouteJson): Array<{ readonly destination: DestinationJson; readonly percent: unknown; readonly field: string }> {
  const mirror = obj<DestinationJson>(rule.mirror);
  const list: unknown[] = Array.isArray(rule.mirrors) ? rule.mirrors : [];
  return [
    ...(mirror !== undefined ? [{ destination: mirror, percent: obj<PercentJson>(rule.mirrorPercentage)?.value, field: 'mirror' }] : []),
    ...list.flatMap((m, n) => {
      const entry = obj<{ destination?: unknown; percentage?: unknown }>(m);
      const destination = obj<DestinationJson>(entry?.destination);
      return destination === undefined ? [] : [{ destination, percent: obj<PercentJson>(entry?.percentage)?.value, field: `mirrors[${n}]` }];
    }),
  ];
}

function mirrorFindings(vs: Manifest): Finding[] {
  const findings: Finding[] = [];
  const namespace = refOf(vs).namespace;
  const host = (d: DestinationJson | undefined) => configHost(String(d?.host ?? ''), namespace);
  const rules: ReadonlyArray<HttpRouteJson | undefined> = Array.isArray(vs.spec?.http) ? vs.spec.http : [];
  rules.forEach((rule, i) => {
    if (rule === undefined || rule === null || typeof rule !== 'object') {
      return;
    }
    for (const { destination, percent, field } of mirrorsOf(rule)) {
      const label = field === 'mirror' ? `http rule ${i + 1}` : `http rule ${i + 1}'s ${field}`;
      if (typeof percent === 'number' && percent >= 0 && percent <= 100 && mirrorCopiesNothing(percent)) {
        findings.push(make('mirror-copies-nothing', refOf(vs), `${label} mirrors ${percent}% of its requests, which Istio turns into 0 millionths: nothing is copied; use at least 0.0001, or remove the mirror`));
      }
      const routes = Array.isArray(rule.route) ? rule.route : [];
      const served = routes.filter((r) => host(r?.destination) === host(destination) && r?.destination?.subset === destination.subset);
      if (served.length > 0 && routes.length > 1) {
        const weight = served.reduce((sum, r) => sum + (typeof r.weight === 'number' ? r.weight : 0), 0);
        const total = routes.reduce((sum, r) => sum + (typeof r.weight === 'number' ? r.weight : 0), 0);
        const share = total > 0 ? `${Math.round((weight / total) * 10000) / 100}%` : 'part';
        findings.push(make('mirror-copies-served-requests', refOf(vs), `${label} mirrors to ${destination.subset ?? destination.host}, which also serves ${share} of the rule's requests: Istio mirrors every request the rule takes, so those are run twice there; mirror from a rule that only routes elsewhere`));
      }
    }
  });
  return findings;
}

interface Pods {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly replicas: number;
}

function podsOf(manifests: readonly Manifest[]): Pods[] {
  const pods: Pods[] = [];
  for (const m of manifests) {
    const group = groupOf(m.apiVersion ?? '');
    if (WORKLOAD_KINDS.has(m.kind ?? '') && group === 'apps') {
      const replicas = typeof m.spec?.replicas === 'number' ? m.spec.replicas : 1;
      pods.push({ namespace: refOf(m).namespace, labels: obj<Record<string, string>>(m.spec?.template?.metadata?.labels) ?? {}, replicas });
    } else if (m.kind === 'Pod' && m.apiVersion === 'v1') {
      pods.push({ namespace: refOf(m).namespace, labels: obj<Record<string, string>>(m.metadata?.labels) ?? {}, replicas: 1 });
    }
  }
  return pods;
}

function subsetPods(pods: readonly Pods[], namespace: string, selector: Record<string, string>): number | undefined {
  let total = 0;
  let found = false;
  for (const p of pods) {
    if (p.namespace === namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v)) {
      total += p.replicas;
      found = true;
    }
  }
  return found ? total : undefined;
}

/** Whether outlier detection, as Istio renders it, is on: a consecutive-error threshold above 0. */
function ejects(outlier: JsonObject): boolean {
  const fiveXx = outlier.consecutive5xxErrors;
  const gateway = outlier.consecutiveGatewayErrors;
  // Istio leaves Envoy's default of 5 consecutive 5xx when consecutive5xxErrors is not set.
  return fiveXx === undefined || Number(fiveXx) > 0 || Number(gateway ?? 0) > 0;
}

/**
 * Outlier detection that can eject every pod of a one-pod subset. Envoy ejects a host only while
 * `100 × (ejected + 1) / hosts ≤ maxEjectionPercent` (`DetectorImpl::ejectHost`), so the only pod
 * goes only with 100; and Istio sets the panic threshold to `minHealthPercent`, 0 by default
 * (`applyOutlierDetection` in pilot's `cluster_traffic_policy.go`), so Envoy does not fall back to
 * the ejected pod: every request to the subset gets 503 "no healthy upstream" for the ejection time.
 */
function outlierFindings(manifests: readonly Manifest[]): Finding[] {
  let pods: Pods[] | undefined; // read only when a subset can eject its every pod
  const services = new Map<string, Record<string, string>>();
  for (const m of manifests) {
    if (m.kind === 'Service' && m.apiVersion === 'v1' && obj(m.spec?.selector) !== undefined) {
      services.set(serviceHost(m.metadata?.name, refOf(m).namespace), m.spec.selector);
    }
  }
  const findings: Finding[] = [];
  for (const dr of manifests.filter((m) => isIstio(m, 'DestinationRule'))) {
    const ref = refOf(dr);
    // The Service the host names as Istio reads it: `name.namespace` names none.
    const host = configHost(String(dr.spec?.host ?? ''), ref.namespace);
    const serviceSelector = services.get(host);
    const namespace = host.split('.')[1];
    if (serviceSelector === undefined) {
      continue;
    }
    const top = obj(obj(dr.spec?.trafficPolicy)?.outlierDetection);
    const subsets: ReadonlyArray<JsonObject | undefined> = Array.isArray(dr.spec?.subsets) ? dr.spec.subsets : [];
    for (const subset of subsets) {
      // A subset's outlierDetection replaces the top-level one as a whole (Istio's mergeTrafficPolicy).
      const outlier = obj(obj(subset?.trafficPolicy)?.outlierDetection) ?? top;
      if (outlier === undefined || outlier.maxEjectionPercent !== 100 || Number(outlier.minHealthPercent ?? 0) > 0 || !ejects(outlier)) {
        continue;
      }
      pods ??= podsOf(manifests);
      const count = subsetPods(pods, namespace, { ...serviceSelector, ...(obj<Record<string, string>>(subset?.labels) ?? {}) });
      if (count === 1) {
        findings.push(make('outlier-ejects-only-pod', ref, `subset "${subset?.name}" runs one pod and its outlierDetection has maxEjectionPercent 100: after ${outlier.consecutive5xxErrors ?? 5} consecutive 5xx the pod is ejected, and every request to the subset gets 503 "no healthy upstream" for ${outlier.baseEjectionTime ?? '30s'} or more (Istio disables Envoy's panic threshold); run at least 2 pods with maxEjectionPercent 50 or less, or keep maxEjectionPercent below 100`));
      }
    }
  }
  return findings;
}
