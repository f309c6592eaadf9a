/**
 * What the mesh verification reports: findings with a severity, a stable code of ours and, where
 * one exists, the matching `istioctl analyze` message code.
 */

/** How bad a finding is. */
export enum Severity {
  /** Requests will fail (503s, rejected objects): synthesis stops. */
  ERROR = 'error',
  /** Probably a mistake, or a risk; synthesis goes on. */
  WARNING = 'warning',
  /** Worth knowing; nothing is wrong in the manifests themselves. */
  INFO = 'info',
}

/** One thing the verification found, about one object. */
export interface Finding {
  /** How bad it is. */
  readonly severity: Severity;
  /** Our stable code, e.g. `unknown-subset`. */
  readonly code: string;
  /**
   * The `istioctl analyze` message code for the same problem.
   * @default - none: istioctl has no such check
   */
  readonly istioCode?: string;
  /** Kind of the object at fault. */
  readonly kind: string;
  /** Namespace of the object at fault (`default` when the manifest has none). */
  readonly namespace: string;
  /** Name of the object at fault. */
  readonly name: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /**
   * Where the object at fault is written, when it was read from a file.
   * @default - unknown (objects built in memory)
   */
  readonly source?: Source;
}

/** A place in the input: a file (`-` for standard input) and a 1-based line. */
export interface Source {
  /** The file as given (a path, or `<stdin>`). */
  readonly file: string;
  /** The line the object starts on. */
  readonly line: number;
}

/** `file:line`. */
export function formatSource(source: Source): string {
  return `${source.file}:${source.line}`;
}

/**
 * The codes the verification uses, with their default severity and istioctl code. Severities
 * follow istioctl's where it has the check, except that a Gateway selecting no workload in the
 * manifests is only info here (ingress gateways usually live outside the user's manifests), and a
 * subset selecting no pods is a warning while no route uses it.
 */
export const CODES = {
  'unknown-subset': { severity: Severity.ERROR, istioCode: 'IST0101' },
  'unknown-host': { severity: Severity.ERROR, istioCode: 'IST0101' },
  'unexpanded-host': { severity: Severity.ERROR, istioCode: undefined },
  'host-not-exported': { severity: Severity.ERROR, istioCode: 'IST0101' },
  'virtualservice-not-exported': { severity: Severity.ERROR, istioCode: undefined },
  'delegate-not-found': { severity: Severity.ERROR, istioCode: undefined },
  'delegate-has-hosts': { severity: Severity.ERROR, istioCode: undefined },
  'delegate-not-exported': { severity: Severity.ERROR, istioCode: undefined },
  'unknown-gateway': { severity: Severity.ERROR, istioCode: 'IST0101' },
  'host-not-in-gateway': { severity: Severity.WARNING, istioCode: 'IST0132' },
  'host-on-no-gateway': { severity: Severity.WARNING, istioCode: undefined },
  'wildcard-host-on-mesh': { severity: Severity.ERROR, istioCode: undefined },
  'subset-selects-no-pods': { severity: Severity.ERROR, istioCode: 'IST0173' },
  'subset-scaled-to-zero': { severity: Severity.WARNING, istioCode: undefined },
  'duplicate-subset': { severity: Severity.ERROR, istioCode: undefined },
  'invalid-subset-name': { severity: Severity.ERROR, istioCode: undefined },
  'conflicting-mesh-virtualservices': { severity: Severity.ERROR, istioCode: 'IST0109' },
  'conflicting-destinationrules': { severity: Severity.WARNING, istioCode: undefined },
  'conflicting-gateways': { severity: Severity.ERROR, istioCode: 'IST0145' },
  'unreachable-rule': { severity: Severity.WARNING, istioCode: 'IST0130' },
  'ineffective-match': { severity: Severity.INFO, istioCode: 'IST0131' },
  'zero-total-weight': { severity: Severity.ERROR, istioCode: undefined },
  'weights-not-100': { severity: Severity.INFO, istioCode: undefined },
  'header-not-lowercase': { severity: Severity.WARNING, istioCode: undefined },
  'port-protocol-unknown': { severity: Severity.INFO, istioCode: 'IST0118' },
  'destination-port-required': { severity: Severity.ERROR, istioCode: 'IST0112' },
  'unknown-destination-port': { severity: Severity.ERROR, istioCode: 'IST0101' },
  'service-selects-no-pods': { severity: Severity.WARNING, istioCode: undefined },
  'deployment-selector-mismatch': { severity: Severity.ERROR, istioCode: undefined },
  'gateway-selects-no-workload': { severity: Severity.INFO, istioCode: 'IST0101' },
  'tls-without-credential': { severity: Severity.ERROR, istioCode: undefined },
  'rejected-by-istio': { severity: Severity.ERROR, istioCode: 'IST0106' },
  'mirror-copies-nothing': { severity: Severity.WARNING, istioCode: undefined },
  'mirror-copies-served-requests': { severity: Severity.WARNING, istioCode: undefined },
  'outlier-ejects-only-pod': { severity: Severity.WARNING, istioCode: undefined },
  'gateway-api-unknown-parent': { severity: Severity.ERROR, istioCode: undefined },
  'gateway-api-unknown-backend': { severity: Severity.ERROR, istioCode: undefined },
  'gateway-api-route-dropped': { severity: Severity.ERROR, istioCode: undefined },
  'gateway-api-backend-port': { severity: Severity.ERROR, istioCode: undefined },
  'gateway-api-cross-namespace-backend': { severity: Severity.ERROR, istioCode: undefined },
  'gateway-api-cross-namespace-certificate': { severity: Severity.ERROR, istioCode: undefined },
  'gateway-api-route-not-allowed': { severity: Severity.ERROR, istioCode: undefined },
  'gateway-api-hostname-mismatch': { severity: Severity.WARNING, istioCode: undefined },
  'gateway-api-undeployable-name': { severity: Severity.WARNING, istioCode: undefined },
  'invalid-field': { severity: Severity.ERROR, istioCode: undefined },
  'replaced-object': { severity: Severity.INFO, istioCode: undefined },
  'namespace-not-enrolled': { severity: Severity.WARNING, istioCode: 'IST0102' },
  'mesh-route-without-waypoint': { severity: Severity.ERROR, istioCode: undefined },
  'conflicting-enrollment-labels': { severity: Severity.WARNING, istioCode: 'IST0123' },
} as const satisfies Record<string, { severity: Severity; istioCode: string | undefined }>;

/** A code of ours. */
export type FindingCode = keyof typeof CODES;

/** Compares strings by code point, so that the order is the same under every locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RANK = { [Severity.ERROR]: 0, [Severity.WARNING]: 1, [Severity.INFO]: 2 };

/** Orders findings: errors first, then by kind, namespace, name, code and message (code point order). */
export function compareFindings(a: Finding, b: Finding): number {
  return (RANK[a.severity] ?? 3) - (RANK[b.severity] ?? 3)
    || compareText(a.kind, b.kind) || compareText(a.namespace, b.namespace) || compareText(a.name, b.name)
    || compareText(a.code, b.code) || compareText(a.message, b.message);
}

/** The findings sorted, each distinct finding once (the first of equal ones, with its source). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return [...findings].sort(compareFindings).filter((f) => {
    const key = JSON.stringify([f.severity, f.code, f.kind, f.namespace, f.name, f.message]);
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

/**
 * `ERROR IST0101 VirtualService default/website-virtual-service (site.yaml:12): ...`; our code
 * stands in where istioctl has none, and the place is shown when known.
 */
export function formatFinding(f: Finding): string {
  const at = f.source !== undefined ? ` (${formatSource(f.source)})` : '';
  return `${f.severity.toUpperCase()} ${f.istioCode ?? f.code} ${f.kind} ${f.namespace}/${f.name}${at}: ${f.message}`;
}
