import { hostServes } from '../model/hosts';
import { describeMatch } from './describe';
import { requestMatches, RequestDescription, routeShares } from './http-match';
import { Manifest, MeshIndex, ObjectRef, VirtualServiceInfo } from './manifests';

/** The request to explain; what is left out takes the default. */
export interface ExplainOptions {
  /**
   * Gateway the request comes through: `name`, `namespace/name`, or `mesh`.
   * @default - the only Gateway of the manifests
   */
  readonly gateway?: string;
  /**
   * Host the client asks for.
   * @default - any host, when one VirtualService is bound to the gateway
   */
  readonly host?: string;
  /**
   * Path, with an optional query string.
   * @default "/"
   */
  readonly path?: string;
  /**
   * Request headers (names are lower-cased).
   * @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * HTTP method.
   * @default "GET"
   */
  readonly method?: string;
  /**
   * The port the request is sent to (of the gateway, or of the Service in the mesh).
   * @default - any port
   */
  readonly port?: number;
}

/** Pods behind a destination. */
export interface ExplainedWorkload {
  readonly ref: ObjectRef;
  /** Pods it runs; `undefined` for a DaemonSet. */
  readonly replicas: number | undefined;
}

/** One destination of the matched rule. */
export interface ExplainedDestination {
  /** The share of matching requests, in percent. */
  readonly percent: number;
  /** The destination host, fully qualified. */
  readonly host: string;
  /** The subset, if the route names one. */
  readonly subset?: string;
  /** Workloads whose pods receive the requests. */
  readonly workloads: ExplainedWorkload[];
}

/** Where a request goes. */
export interface Explanation {
  readonly request: RequestDescription;
  /** The VirtualService that routes it, if any. */
  readonly virtualService?: ObjectRef;
  /** The matching rule (0-based) and why it matches. */
  readonly rule?: { readonly index: number; readonly name?: string; readonly matchedBy: string };
  readonly destinations: ExplainedDestination[];
  /** Mirrored copies (they do not count in the shares). */
  readonly mirrors: Array<{ readonly percent: number; readonly host: string; readonly subset?: string }>;
  /** Observations: headers no rule tests, rules that cannot be judged, no route at all. */
  readonly notes: string[];
}

/** A request that cannot be explained as asked (an unknown gateway, an ambiguous host). */
export class ExplainError extends Error {}

/** Explains which VirtualService rule a request matches and where it goes. */
export function explain(manifests: readonly Manifest[], options: ExplainOptions = {}): Explanation {
  const index = new MeshIndex(manifests);
  const gateway = resolveGateway(index, options.gateway);
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const bound = index.virtualServices.filter((vs) => vs.gateways.includes(gateway));
  const vs = pickVirtualService(index, bound, gateway, options.host);
  const request: RequestDescription = {
    gateway,
    host: options.host ?? vs?.hosts.find((h) => !h.includes('*')) ?? '*',
    path: options.path ?? '/',
    headers,
    method: options.method ?? 'GET',
  };
  const notes: string[] = [];
  if (vs === undefined) {
    notes.push(`no VirtualService bound to ${gateway} serves host ${request.host}: ${gateway === 'mesh' ? 'the request goes to the Service directly, without Istio routing' : 'the gateway answers 404'}`);
    return { request, destinations: [], mirrors: [], notes };
  }

  let matched: { index: number; match: any } | undefined;
  for (let i = 0; i < vs.http.length && matched === undefined; i++) {
    const rule = vs.http[i];
    const matches: any[] = Array.isArray(rule?.match) && rule.match.length > 0 ? rule.match : [{}];
    for (const match of matches) {
      const result = requestMatches(match, request);
      if (result === true) {
        matched = { index: i, match };
        break;
      }
      if (result === undefined) {
        notes.push(`http rule ${i + 1} tests ${describeMatch(match)}, which a request description cannot carry; it is taken as not matching`);
      }
    }
  }
  const tested = new Set(vs.http.flatMap((rule) => (Array.isArray(rule?.match) ? rule.match : [])
    .flatMap((m: any) => [...Object.keys(m?.headers ?? {}), ...Object.keys(m?.withoutHeaders ?? {})].map((h) => h.toLowerCase()))));
  for (const [name, value] of Object.entries(headers)) {
    if (!tested.has(name)) {
      notes.push(`no rule of ${refText(vs.ref)} tests header ${name}: ${name}: ${value} does not change where the request goes`);
    }
  }
  if (matched === undefined) {
    notes.push(`no rule of ${refText(vs.ref)} matches: the request is answered 404`);
    return { request, virtualService: vs.ref, destinations: [], mirrors: [], notes };
  }

  const rule = vs.http[matched.index];
  const routes: any[] = Array.isArray(rule.route) ? rule.route : [];
  const shares = routeShares(routes);
  const destinations = routes.map((r, i) => {
    const host = index.resolveHost(String(r?.destination?.host ?? ''), vs.ref.namespace);
    const subset: string | undefined = r?.destination?.subset;
    return {
      percent: Math.round(shares[i] * 100) / 100,
      host,
      ...(subset !== undefined ? { subset } : {}),
      workloads: index.workloadsBehind(host, subset).map((w) => ({ ref: w.ref, replicas: w.replicas })),
    };
  });
  const mirrors = [
    ...(rule.mirror ? [{ destination: rule.mirror, percent: rule.mirrorPercentage?.value ?? 100 }] : []),
    ...(Array.isArray(rule.mirrors) ? rule.mirrors.map((m: any) => ({ destination: m?.destination, percent: m?.percentage?.value ?? 100 })) : []),
  ].map((m) => ({
    percent: m.percent,
    host: index.resolveHost(String(m.destination?.host ?? ''), vs.ref.namespace),
    ...(m.destination?.subset !== undefined ? { subset: m.destination.subset } : {}),
  }));
  if (routes.length === 0) {
    notes.push(`http rule ${matched.index + 1} has no route (it redirects, rewrites or answers directly)`);
  }
  return {
    request,
    virtualService: vs.ref,
    rule: { index: matched.index, ...(typeof rule.name === 'string' ? { name: rule.name } : {}), matchedBy: describeMatch(matched.match) },
    destinations,
    mirrors,
    notes,
  };
}

function refText(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

function resolveGateway(index: MeshIndex, given: string | undefined): string {
  if (given === 'mesh') {
    return 'mesh';
  }
  const all = [...index.gateways.keys()];
  if (given === undefined) {
    if (all.length === 1) {
      return all[0];
    }
    throw new ExplainError(all.length === 0
      ? 'the manifests define no Gateway: pass --gateway mesh to explain in-mesh requests'
      : `the manifests define ${all.length} Gateways (${all.join(', ')}): pass --gateway NAME or --gateway mesh`);
  }
  const found = given.includes('/') ? all.filter((k) => k === given) : all.filter((k) => k.endsWith(`/${given}`));
  if (found.length === 1) {
    return found[0];
  }
  throw new ExplainError(found.length === 0
    ? `no Gateway "${given}" in the manifests (they define ${all.join(', ') || 'none'}); use mesh for in-mesh requests`
    : `Gateway "${given}" is ambiguous (${found.join(', ')}): give it as namespace/name`);
}

function pickVirtualService(index: MeshIndex, bound: VirtualServiceInfo[], gateway: string, host: string | undefined): VirtualServiceInfo | undefined {
  if (host === undefined) {
    if (bound.length > 1) {
      throw new ExplainError(`${bound.length} VirtualServices are bound to ${gateway} (${bound.map((v) => `${v.ref.namespace}/${v.ref.name}`).join(', ')}): pass --host`);
    }
    return bound[0];
  }
  // The most specific host wins: an exact name before a wildcard, a longer wildcard before a shorter one.
  let best: { vs: VirtualServiceInfo; score: number } | undefined;
  for (const vs of bound) {
    for (const written of vs.hosts) {
      const vsHost = gateway === 'mesh' ? index.resolveHost(written, vs.ref.namespace) : written;
      const requested = gateway === 'mesh' ? index.resolveHost(host, vs.ref.namespace) : host;
      if (hostServes(vsHost, requested)) {
        const score = vsHost.includes('*') ? vsHost.length : 1000 + vsHost.length;
        if (best === undefined || score > best.score) {
          best = { vs, score };
        }
      }
    }
  }
  return best?.vs;
}

function pods(replicas: number | undefined): string {
  return replicas === undefined ? 'one pod per node' : `${replicas} ${replicas === 1 ? 'pod' : 'pods'}`;
}

/** The explanation as lines of text. */
export function formatExplanation(e: Explanation): string {
  const headers = Object.entries(e.request.headers).map(([k, v]) => `${k}: ${v}`);
  const lines = [`request: ${e.request.method} ${e.request.path}, host ${e.request.host}, via ${e.request.gateway}${headers.length > 0 ? `, headers ${headers.join('; ')}` : ''}`];
  if (e.virtualService !== undefined && e.rule !== undefined) {
    lines.push(`matched: ${refText(e.virtualService)}, http rule ${e.rule.index + 1}${e.rule.name ? ` ("${e.rule.name}")` : ''}: ${e.rule.matchedBy}`);
    for (const d of e.destinations) {
      const target = d.subset !== undefined ? `subset ${d.subset} of ${d.host}` : d.host;
      const behind = d.workloads.length === 0 ? 'no pods' : d.workloads.map((w) => `${w.ref.kind} ${w.ref.namespace}/${w.ref.name} (${pods(w.replicas)})`).join(', ');
      lines.push(`  ${String(d.percent).padStart(3)}% -> ${target} -> ${behind}`);
    }
    for (const m of e.mirrors) {
      lines.push(`  mirror ${m.percent}% -> ${m.subset !== undefined ? `subset ${m.subset} of ${m.host}` : m.host} (copies, responses ignored)`);
    }
  }
  for (const note of e.notes) {
    lines.push(`note: ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
