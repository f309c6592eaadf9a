/**
 * The shape of the fields the checks read, as the API server and Istio's validation accept them:
 * a list where a list is expected, whole non-negative weights, string labels. An object that
 * breaks them would be refused by `kubectl apply`; the verification reports it with the path of
 * the field and leaves it out of the other checks, which can then trust the types they read.
 *
 * Written by hand rather than compiled from the CRD schemas: it covers the core kinds too, loads
 * in no time, and says what is wrong in the words of the rest of the verification.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 */
import { Manifest } from './manifests';

/** A field of the wrong shape. */
export interface ShapeError {
  /** Where, as a JSON path from the object (`spec.http[0].route[0].weight`). */
  readonly path: string;
  /** What is wrong: `must be ..., got ...`. */
  readonly message: string;
}

/** A path from the object, built as a chain and written out only for an error. */
interface Path {
  readonly up?: Path;
  readonly key: string | number;
}

/** The errors found, and the fields checked that are null (the API server takes them as absent). */
type Found = ShapeError[] & { nulls?: Path[] };

type Check = (value: unknown, path: Path, errors: Found) => void;

function pathText(path: Path | undefined): string {
  if (path === undefined) {
    return '';
  }
  const parent = pathText(path.up);
  const key = path.key;
  if (typeof key === 'number') {
    return `${parent}[${key}]`;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    return `${parent}[${JSON.stringify(key)}]`;
  }
  return parent === '' ? key : `${parent}.${key}`;
}

function child(path: Path | undefined, key: string | number): Path {
  return { up: path, key };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (value !== null && typeof value === 'object') {
    // js-yaml reads an unrendered `{{ .Values.x }}` as a mapping whose key is a mapping.
    return Object.keys(value).some((k) => k.startsWith('[object ')) ? 'a mapping (an unrendered template such as {{ .Values.x }}? render it first)' : 'a mapping';
  }
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  }
  if (typeof value === 'boolean') {
    return `${value} (unquoted yes, no, on and off are booleans in YAML 1.1: quote the value)`;
  }
  return String(value);
}

function fail(errors: ShapeError[], path: Path, expected: string, value: unknown): void {
  const text = pathText(path);
  errors.push({ path: text, message: `${text} must be ${expected}, got ${describe(value)}` });
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const str: Check = (v, p, e) => {
  if (typeof v !== 'string') {
    fail(e, p, 'a string', v);
  }
};

const bool: Check = (v, p, e) => {
  if (typeof v !== 'boolean') {
    fail(e, p, 'true or false', v);
  }
};

function int(min: number, max: number): Check {
  return (v, p, e) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      fail(e, p, `a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}`, v);
    }
  };
}

function num(min: number, max: number): Check {
  return (v, p, e) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      fail(e, p, `a number from ${min} to ${max}`, v);
    }
  };
}

const intOrString: Check = (v, p, e) => {
  if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) {
    fail(e, p, 'a whole number or a name', v);
  }
};

function intOf(...values: number[]): Check {
  return (v, p, e) => {
    if (typeof v !== 'number' || !values.includes(v)) {
      fail(e, p, `one of ${values.join(', ')}`, v);
    }
  };
}

function oneOf(...values: string[]): Check {
  return (v, p, e) => {
    if (typeof v !== 'string' || !values.includes(v)) {
      fail(e, p, `one of ${values.join(', ')}`, v);
    }
  };
}

/** A mapping whose listed fields, when present and not null, have their shape; `required` must be present. */
function obj(fields: Record<string, Check>, required: readonly string[] = []): Check {
  const names = Object.keys(fields);
  return (v, p, e) => {
    if (!isMapping(v)) {
      fail(e, p, 'a mapping', v);
      return;
    }
    for (const name of required) {
      if (v[name] === undefined || v[name] === null) {
        const text = pathText(child(p, name));
        e.push({ path: text, message: `${text} is required` });
      }
    }
    for (const name of names) {
      const value = v[name];
      if (value === null) {
        e.nulls?.push(child(p, name));
      } else if (value !== undefined) {
        fields[name](value, child(p, name), e);
      }
    }
  };
}

function list(item: Check): Check {
  return (v, p, e) => {
    if (!Array.isArray(v)) {
      fail(e, p, 'a list', v);
      return;
    }
    v.forEach((value, i) => item(value, child(p, i), e));
  };
}

function mapOf(value: Check): Check {
  return (v, p, e) => {
    if (!isMapping(v)) {
      fail(e, p, 'a mapping', v);
      return;
    }
    for (const key in v) {
      if (Object.prototype.hasOwnProperty.call(v, key)) {
        value(v[key], child(p, key), e);
      }
    }
  };
}

const labels = mapOf(str);
const port = int(1, 65535);
const metadata = obj({ name: str, namespace: str, labels, annotations: mapOf(str) }, ['name']);
const names = obj({ name: str, namespace: str });
const anyMetadata: Check = (v, p, e) => {
  if (v !== undefined && v !== null) {
    names(v, p, e);
  }
};
const labelSelector = obj({
  matchLabels: labels,
  matchExpressions: list(obj({ key: str, operator: oneOf('In', 'NotIn', 'Exists', 'DoesNotExist'), values: list(str) }, ['key', 'operator'])),
});
const stringMatch = obj({ exact: str, prefix: str, regex: str });
const destination = obj({ host: str, subset: str, port: obj({ number: port }) }, ['host']);
const percent = obj({ value: num(0, 100) });
const httpRoute = obj({
  name: str,
  match: list(obj({
    name: str,
    uri: stringMatch,
    scheme: stringMatch,
    method: stringMatch,
    authority: stringMatch,
    headers: mapOf(stringMatch),
    queryParams: mapOf(stringMatch),
    withoutHeaders: mapOf(stringMatch),
    ignoreUriCase: bool,
    port,
    sourceLabels: labels,
    gateways: list(str),
    sourceNamespace: str,
  })),
  route: list(obj({ destination, weight: int(0, 2147483647) }, ['destination'])),
  mirror: destination,
  mirrorPercentage: percent,
  mirrors: list(obj({ destination, percentage: percent }, ['destination'])),
  // Bounds as the CRD gives them (uint32); Istio's own validation is stricter.
  redirect: obj({ uri: str, authority: str, port: int(0, 4294967295), derivePort: oneOf('FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT'), scheme: str, redirectCode: int(0, 4294967295) }),
  rewrite: obj({ uri: str, authority: str, uriRegexRewrite: obj({ match: str, rewrite: str }) }),
  directResponse: obj({ status: int(0, 4294967295), body: obj({ string: str, bytes: str }) }, ['status']),
  delegate: obj({ name: str, namespace: str }),
});

// TCP and TLS rules: their matches (L4 attributes, SNI hosts) and weighted destinations.
const l4Route = obj({
  match: list(obj({
    port,
    destinationSubnets: list(str),
    sourceLabels: labels,
    gateways: list(str),
    sourceNamespace: str,
    sniHosts: list(str),
  })),
  route: list(obj({ destination, weight: int(0, 2147483647) }, ['destination'])),
});

// Gateway API (gateway.networking.k8s.io, v1 and v1beta1 alike): the references and matches the
// checks and explain read.
// @see https://gateway-api.sigs.k8s.io/reference/spec/
const parentRef = obj({ group: str, kind: str, namespace: str, name: str, sectionName: str, port }, ['name']);
const backendRef = obj({ group: str, kind: str, namespace: str, name: str, port, weight: int(0, 1000000) }, ['name']);
const nameValueMatch = obj({ type: oneOf('Exact', 'RegularExpression'), name: str, value: str }, ['name', 'value']);
const routeMatch = obj({
  path: obj({ type: oneOf('Exact', 'PathPrefix', 'RegularExpression'), value: str }),
  headers: list(nameValueMatch),
  queryParams: list(nameValueMatch),
  method: oneOf('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'),
});
const pathModifier = obj({ type: oneOf('ReplaceFullPath', 'ReplacePrefixMatch'), replaceFullPath: str, replacePrefixMatch: str }, ['type']);
// The filters that change where or how a request goes; the type stays open (the experimental
// channel and implementations add types), the header modifiers and CORS are not read.
const routeFilterMirror = obj({
  backendRef: obj({ group: str, kind: str, namespace: str, name: str, port }, ['name']),
  percent: int(0, 100),
  fraction: obj({ numerator: int(0, 2147483647), denominator: int(1, 2147483647) }, ['numerator']),
}, ['backendRef']);
const routeFilter = obj({
  type: str,
  requestRedirect: obj({ scheme: oneOf('http', 'https'), hostname: str, port, path: pathModifier, statusCode: intOf(301, 302, 303, 307, 308) }),
  requestMirror: routeFilterMirror,
  urlRewrite: obj({ hostname: str, path: pathModifier }),
}, ['type']);
const GATEWAY_API = 'gateway.networking.k8s.io';

const SPECS: Record<string, Check> = {
  'v1/Service': obj({ selector: labels, ports: list(obj({ port, name: str, appProtocol: str, targetPort: intOrString, protocol: str }, ['port'])) }),
  'v1/Pod': obj({}),
  // Only its labels are read (mesh enrollment), which the metadata check covers.
  'v1/Namespace': obj({}),
  'apps/Deployment': obj({ replicas: int(0, 2147483647), selector: labelSelector, template: obj({ metadata: obj({ labels }) }) }),
  'networking.istio.io/ServiceEntry': obj({ hosts: list(str), ports: list(obj({ number: port, name: str, protocol: str, targetPort: port }, ['number'])), exportTo: list(str) }),
  'networking.istio.io/Gateway': obj({
    selector: labels,
    servers: list(obj({ hosts: list(str), port: obj({ number: port, name: str, protocol: str }), tls: obj({ mode: str, credentialName: str }) })),
  }),
  'networking.istio.io/VirtualService': obj({ hosts: list(str), gateways: list(str), http: list(httpRoute), tcp: list(l4Route), tls: list(l4Route), exportTo: list(str) }),
  'networking.istio.io/DestinationRule': obj({
    host: str,
    subsets: list(obj({ name: str, labels, trafficPolicy: obj({}) }, ['name'])),
    trafficPolicy: obj({}),
    exportTo: list(str),
  }, ['host']),
};
SPECS[`${GATEWAY_API}/Gateway`] = obj({
  gatewayClassName: str,
  listeners: list(obj({
    name: str, hostname: str, port, protocol: str,
    allowedRoutes: obj({
      namespaces: obj({ from: oneOf('All', 'Same', 'Selector'), selector: labelSelector }),
      kinds: list(obj({ group: str, kind: str }, ['kind'])),
    }),
    tls: obj({ mode: oneOf('Terminate', 'Passthrough'), certificateRefs: list(obj({ group: str, kind: str, name: str, namespace: str }, ['name'])), options: mapOf(str) }),
  }, ['name', 'port', 'protocol'])),
}, ['gatewayClassName', 'listeners']);
SPECS[`${GATEWAY_API}/HTTPRoute`] = obj({
  parentRefs: list(parentRef),
  hostnames: list(str),
  rules: list(obj({ name: str, matches: list(routeMatch), backendRefs: list(backendRef), filters: list(routeFilter) })),
});
// GRPCRoute and TLSRoute: only the versions the Gateway API v1.5.1 CRDs serve (GRPCRoute v1;
// TLSRoute v1, and v1alpha2 and v1alpha3 in the experimental channel), keyed with their version;
// others are not read. Their matches (gRPC methods and headers) are not read.
// The gRPC filters' type stays open, as HTTPRoute's does; only RequestMirror is read.
const grpcFilter = obj({ type: str, requestMirror: routeFilterMirror }, ['type']);
SPECS[`${GATEWAY_API}/v1/GRPCRoute`] = obj({
  parentRefs: list(parentRef),
  hostnames: list(str),
  rules: list(obj({ name: str, backendRefs: list(backendRef), filters: list(grpcFilter) })),
});
// A TLSRoute rule has backendRefs only (required); v1 and v1alpha3 require hostnames too.
const tlsRule = obj({ name: str, backendRefs: list(backendRef) }, ['backendRefs']);
const tlsRouteFields = { parentRefs: list(parentRef), hostnames: list(str), rules: list(tlsRule) };
SPECS[`${GATEWAY_API}/v1/TLSRoute`] = obj(tlsRouteFields, ['hostnames', 'rules']);
SPECS[`${GATEWAY_API}/v1alpha3/TLSRoute`] = SPECS[`${GATEWAY_API}/v1/TLSRoute`];
SPECS[`${GATEWAY_API}/v1alpha2/TLSRoute`] = obj(tlsRouteFields, ['rules']);
SPECS[`${GATEWAY_API}/ReferenceGrant`] = obj({
  from: list(obj({ group: str, kind: str, namespace: str }, ['group', 'kind', 'namespace'])),
  to: list(obj({ group: str, kind: str, name: str }, ['group', 'kind'])),
}, ['from', 'to']);
SPECS['apps/StatefulSet'] = SPECS['apps/Deployment'];
SPECS['apps/ReplicaSet'] = SPECS['apps/Deployment'];
SPECS['apps/DaemonSet'] = obj({ selector: labelSelector, template: obj({ metadata: obj({ labels }) }) });

/** The group of an `apiVersion` (`''` for the core group `v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

// The SPECS key of each apiVersion and kind met, so that the lookup, made several times per
// object, builds no string.
const specKeys = new Map<string, Map<string, string | undefined>>();

function specKey(m: Manifest): string | undefined {
  const { apiVersion, kind } = m;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return undefined;
  }
  const byKind = specKeys.get(apiVersion);
  if (byKind?.has(kind) === true) {
    return byKind.get(kind);
  }
  // By group (any version), else by version for the kinds read in some versions only.
  const key = apiVersion === 'v1' ? `v1/${kind}` : `${groupOf(apiVersion)}/${kind}`;
  const found = [key, `${apiVersion}/${kind}`].find((k) => Object.prototype.hasOwnProperty.call(SPECS, k));
  // Bounded: a file of made-up apiVersions and kinds cannot grow it without end.
  if (byKind !== undefined && byKind.size < 100) {
    byKind.set(kind, found);
  } else if (byKind === undefined && specKeys.size < 100) {
    specKeys.set(apiVersion, new Map([[kind, found]]));
  }
  return found;
}

/** Whether the verification reads objects of this apiVersion and kind. */
export function isVerifiedKind(m: Manifest): boolean {
  return specKey(m) !== undefined;
}

/**
 * The fields of `m` whose shape the checks cannot use; none for kinds the verification does not
 * read, whose metadata is only required to be strings where present.
 */
export function shapeErrors(m: Manifest): ShapeError[] {
  return check(m, []);
}

function check(m: Manifest, errors: Found): ShapeError[] {
  const key = specKey(m);
  if (key === undefined) {
    anyMetadata(m.metadata, { key: 'metadata' }, errors);
    return errors;
  }
  if (m.metadata === undefined || m.metadata === null) {
    return [{ path: 'metadata', message: 'metadata is required' }];
  }
  metadata(m.metadata, { key: 'metadata' }, errors);
  if (m.spec === null) {
    errors.nulls?.push({ key: 'spec' });
  } else if (m.spec !== undefined) {
    SPECS[key](m.spec, { key: 'spec' }, errors);
  }
  return errors;
}

/**
 * The shape errors of `m`, and `m` without the fields the checks read that are null, which the
 * API server takes as absent (`selector: null`, `labels:` left empty by a template): `m` itself
 * when there are none, else a copy, so that the checks need not tell null from absent.
 */
export function checkShape(m: Manifest): { errors: ShapeError[]; manifest: Manifest } {
  const found: Found = Object.assign([], { nulls: [] as Path[] });
  const errors = [...check(m, found)];
  const nulls = found.nulls!;
  if (nulls.length === 0 || errors.length > 0) {
    return { errors, manifest: m };
  }
  const copy = structuredClone(m);
  type Node = Record<string | number, unknown> | null | undefined;
  for (const path of nulls) {
    const keys: Array<string | number> = [];
    for (let p: Path | undefined = path; p !== undefined; p = p.up) {
      keys.unshift(p.key);
    }
    let parent: unknown = copy;
    keys.slice(0, -1).forEach((k) => { parent = (parent as Node)?.[k]; });
    if (parent !== null && typeof parent === 'object') {
      delete (parent as Record<string | number, unknown>)[keys[keys.length - 1]];
    }
  }
  return { errors, manifest: copy };
}
