/**
 * Delegate VirtualServices as istiod merges them (pilot's `mergeVirtualServices` in
 * `pilot/pkg/model/virtualservice_controller.go`, with `MergeHTTPRoutes` of `virtualservice.go`):
 * an http rule of a root VirtualService that names a `delegate` takes, in its place, the http
 * rules of that VirtualService (one without hosts), each with its matches merged into the root
 * rule's and what it leaves unset taken from the root rule.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Delegate
 */
import { HttpMatchJson, StringMatchJson } from '../model/match-json';
import { MESH_GATEWAY, resolveGatewayName } from '../model/names';
import { HttpRouteJson } from './json';
import { configHost, VirtualServiceInfo, visibleIn } from './manifests';

/** Why istiod leaves out a rule that delegates: the delegate does not exist, has hosts, or is not exported to the root's namespace. */
export type DelegateProblem = 'missing' | 'has-hosts' | 'not-exported';

/** What the `delegate` of an http rule names, and what istiod finds there. */
export interface DelegateLookup {
  /** The delegate's namespace: as written, else the root's. */
  readonly namespace: string;
  readonly name: string;
  /** The delegate, when istiod uses it. */
  readonly delegate?: VirtualServiceInfo;
  /** Why istiod leaves the root rule out, when it does. */
  readonly problem?: DelegateProblem;
}

/**
 * The delegate the http rule `rule` of `root` names, looked up as istiod does: among the
 * VirtualServices without hosts (one with hosts is not a delegate), in the namespace given (by
 * default the root's), and used only when exported to the root's namespace. `undefined` when the
 * rule does not delegate.
 */
export function lookUpDelegate(all: readonly VirtualServiceInfo[], root: VirtualServiceInfo, rule: HttpRouteJson | undefined): DelegateLookup | undefined {
  const written = rule?.delegate;
  if (written === null || typeof written !== 'object') {
    return undefined;
  }
  const namespace = typeof written.namespace === 'string' && written.namespace !== '' ? written.namespace : root.ref.namespace;
  const name = String(written.name ?? '');
  const named = byName(all).get(`${namespace}/${name}`) ?? [];
  const delegate = named.find((v) => v.hosts.length === 0);
  if (delegate === undefined) {
    return { namespace, name, problem: named.length > 0 ? 'has-hosts' : 'missing' };
  }
  return visibleIn(delegate.exportTo, root.ref.namespace) ? { namespace, name, delegate } : { namespace, name, delegate, problem: 'not-exported' };
}

/** Why the rule is left out, in words: `which does not exist`, ... */
export function delegateProblemText(lookup: DelegateLookup, rootNamespace: string): string {
  switch (lookup.problem) {
    case 'missing': return `which does not exist (no VirtualService without hosts of that name)`;
    case 'has-hosts': return `which has hosts, so it is not a delegate`;
    case 'not-exported': return `which is not exported to namespace ${rootNamespace} (exportTo ${lookup.delegate?.exportTo.join(', ')})`;
    default: return '';
  }
}

/** An http rule of a VirtualService as istiod uses it, once delegates are merged in. */
export interface MergedHttpRule {
  /** The rule of the VirtualService, 0-based among its http rules. */
  readonly rule: number;
  /** The rule that takes its place: its own, or a delegate's merged with it. */
  readonly json: HttpRouteJson | undefined;
  /** The delegate and its rule (0-based) that `json` comes from, when the rule delegates. */
  readonly delegate?: { readonly vs: VirtualServiceInfo; readonly rule: number };
}

/** A rule istiod leaves out: its delegate is not usable, or a delegate's rule whose matches conflict with the root rule's. */
export interface DroppedHttpRule {
  readonly rule: number;
  readonly lookup: DelegateLookup;
  /** The delegate's rule (0-based) that conflicts, when the delegate is used. */
  readonly conflicting?: number;
}

/**
 * The http rules of `vs` as istiod uses them, in order: a rule that delegates is replaced by the
 * rules of its delegate, merged with it (`mergeHTTPRoute`); `dropped` are the rules left out. A
 * VirtualService without hosts (a delegate itself) is not merged: istiod uses its rules only
 * through a root.
 */
export function mergedHttpRules(all: readonly VirtualServiceInfo[], vs: VirtualServiceInfo): MergedHttpRules {
  const cache = mergedCache.get(all) ?? new Map<VirtualServiceInfo, MergedHttpRules>();
  mergedCache.set(all, cache);
  let merged = cache.get(vs);
  if (merged === undefined) {
    merged = mergeRules(all, vs);
    cache.set(vs, merged);
  }
  return merged;
}

/** The delegates that the VirtualServices with hosts among `all` use (their lookup has no problem), with the roots that use each. */
export function rootsByDelegate(all: readonly VirtualServiceInfo[]): ReadonlyMap<VirtualServiceInfo, readonly VirtualServiceInfo[]> {
  let roots = rootsCache.get(all);
  if (roots === undefined) {
    const found = new Map<VirtualServiceInfo, VirtualServiceInfo[]>();
    for (const root of all.filter((v) => v.hosts.length > 0)) {
      const used = new Set(root.http.map((rule) => lookUpDelegate(all, root, rule)).filter((l) => l?.problem === undefined).map((l) => l?.delegate));
      for (const delegate of used) {
        if (delegate !== undefined) {
          found.set(delegate, [...(found.get(delegate) ?? []), root]);
        }
      }
    }
    roots = found;
    rootsCache.set(all, roots);
  }
  return roots;
}

/*
 * Derived once per list of VirtualServices (a MeshIndex's, which does not change): the lookups
 * by name, the merged rules and the roots of each delegate. Shared: do not change what they hold.
 */
const namesCache = new WeakMap<readonly VirtualServiceInfo[], Map<string, VirtualServiceInfo[]>>();
const mergedCache = new WeakMap<readonly VirtualServiceInfo[], Map<VirtualServiceInfo, MergedHttpRules>>();
const rootsCache = new WeakMap<readonly VirtualServiceInfo[], Map<VirtualServiceInfo, VirtualServiceInfo[]>>();

function byName(all: readonly VirtualServiceInfo[]): Map<string, VirtualServiceInfo[]> {
  let names = namesCache.get(all);
  if (names === undefined) {
    names = new Map<string, VirtualServiceInfo[]>();
    for (const v of all) {
      const key = `${v.ref.namespace}/${v.ref.name}`;
      names.set(key, [...(names.get(key) ?? []), v]);
    }
    namesCache.set(all, names);
  }
  return names;
}

/** The http rules of a VirtualService as istiod uses them, and those it leaves out. */
export interface MergedHttpRules {
  readonly rules: MergedHttpRule[];
  readonly dropped: DroppedHttpRule[];
}

function mergeRules(all: readonly VirtualServiceInfo[], vs: VirtualServiceInfo): MergedHttpRules {
  const rules: MergedHttpRule[] = [];
  const dropped: DroppedHttpRule[] = [];
  vs.http.forEach((json, rule) => {
    const lookup = vs.hosts.length > 0 ? lookUpDelegate(all, vs, json) : undefined;
    if (lookup === undefined) {
      rules.push({ rule, json });
      return;
    }
    if (lookup.problem !== undefined || lookup.delegate === undefined) {
      dropped.push({ rule, lookup });
      return;
    }
    const delegate = lookup.delegate;
    delegate.http.forEach((leaf, i) => {
      const merged = mergeHttpRule(json ?? {}, vs.ref.namespace, leaf ?? {}, delegate.ref.namespace);
      if (merged === undefined) {
        dropped.push({ rule, lookup, conflicting: i });
      } else {
        rules.push({ rule, json: merged, delegate: { vs: delegate, rule: i } });
      }
    });
  });
  return { rules, dropped };
}

/** The fields a delegate's rule takes from the root's when it leaves them unset (pilot's `mergeHTTPRoute`). */
const INHERITED = ['rewrite', 'directResponse', 'timeout', 'retries', 'fault', 'mirror', 'mirrorPercent', 'mirrorPercentage', 'corsPolicy', 'mirrors', 'headers'] as const;

/**
 * A delegate's rule merged with the root's: the matches merged (`undefined` when they conflict,
 * and istiod leaves the delegate's rule out), the name `root-leaf`, and the root's settings where
 * the delegate's rule has none. The root's `delegate` is not carried over, nor its `route`.
 */
export function mergeHttpRule(root: HttpRouteJson, rootNamespace: string, leaf: HttpRouteJson, leafNamespace: string): HttpRouteJson | undefined {
  const match = mergeMatches(resolvedMatches(root.match, rootNamespace), resolvedMatches(leaf.match, leafNamespace));
  if (match === undefined) {
    return undefined;
  }
  // Pilot completes short hosts in each VirtualService's own namespace before it merges.
  const resolvedRoot = resolvedHosts(root, rootNamespace);
  const out: Record<string, unknown> = resolvedHosts(leaf, leafNamespace);
  if (match.length > 0) {
    out.match = match;
  } else {
    delete out.match;
  }
  const name = joinNames(root.name, leaf.name);
  if (name !== undefined) {
    out.name = name;
  }
  fillUnset(out, resolvedRoot, INHERITED);
  return out as HttpRouteJson;
}

/** The rule with the hosts of its routes and mirrors completed in `namespace` (pilot's `ResolveVirtualServiceShortnames`). */
function resolvedHosts(rule: HttpRouteJson, namespace: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rule };
  const resolve = <T extends { readonly host?: string }>(d: T | undefined): T | undefined => (d !== null && typeof d === 'object' && typeof d.host === 'string' ? { ...d, host: configHost(d.host, namespace) } : d);
  if (Array.isArray(rule.route)) {
    out.route = rule.route.map((r) => (r !== null && typeof r === 'object' ? { ...r, destination: resolve(r.destination) } : r));
  }
  if (rule.mirror !== undefined) {
    out.mirror = resolve(rule.mirror);
  }
  if (Array.isArray(rule.mirrors)) {
    out.mirrors = rule.mirrors.map((m) => (m !== null && typeof m === 'object' ? { ...m, destination: resolve(m.destination) } : m));
  }
  return out;
}

/** A match's `gateways` resolved in the namespace of the VirtualService that wrote it, as pilot does before it merges. */
function resolvedMatches(matches: readonly HttpMatchJson[] | undefined, namespace: string): HttpMatchJson[] {
  return (Array.isArray(matches) ? matches : []).map((m) => (m !== null && typeof m === 'object' && Array.isArray(m.gateways)
    ? { ...m, gateways: m.gateways.map((g: unknown) => (g === MESH_GATEWAY ? g : resolveGatewayName(String(g), namespace))) }
    : m ?? {}));
}

function joinNames(root: unknown, leaf: unknown): string | undefined {
  const r = typeof root === 'string' ? root : '';
  const l = typeof leaf === 'string' ? leaf : '';
  return l === '' ? (r === '' ? undefined : r) : r === '' ? l : `${r}-${l}`;
}

/**
 * The matches of a delegate's rule merged with the root rule's (pilot's `mergeHTTPMatchRequests`):
 * with none on one side, the other's; else each delegate match merged with every root match it
 * does not conflict with. `undefined` (a conflict: istiod leaves the rule out) when a delegate
 * match conflicts with every root match.
 */
export function mergeMatches(root: readonly HttpMatchJson[], leaf: readonly HttpMatchJson[]): HttpMatchJson[] | undefined {
  if (root.length === 0) {
    return [...leaf];
  }
  if (leaf.length === 0) {
    return [...root];
  }
  const out: HttpMatchJson[] = [];
  for (const l of leaf) {
    const kept = root.filter((r) => !matchesConflict(r, l));
    if (kept.length === 0) {
      return undefined;
    }
    out.push(...kept.map((r) => mergeMatch(r, l)));
  }
  return out;
}

/** Copies into `out` each of `fields` that it leaves unset and `from` sets (pilot's "the delegate's, else the root's"). */
function fillUnset(out: Record<string, unknown>, from: object, fields: readonly string[]): void {
  const source = from as Record<string, unknown>;
  for (const field of fields) {
    if (out[field] === undefined && source[field] !== undefined) {
      out[field] = source[field];
    }
  }
}

const STRING_FIELDS = ['uri', 'scheme', 'method', 'authority'] as const;
const MAP_FIELDS = ['headers', 'withoutHeaders', 'queryParams', 'sourceLabels'] as const;

/** One delegate match merged with a root match (pilot's `mergeHTTPMatchRequest`): the delegate's conditions, and the root's where it has none. */
function mergeMatch(root: HttpMatchJson, leaf: HttpMatchJson): HttpMatchJson {
  const out: Record<string, unknown> = { ...leaf };
  const name = joinNames(root.name, leaf.name);
  if (name !== undefined) {
    out.name = name;
  }
  fillUnset(out, root, STRING_FIELDS);
  for (const field of MAP_FIELDS) {
    if (root[field] !== undefined || leaf[field] !== undefined) {
      out[field] = { ...(root[field] ?? {}), ...(leaf[field] ?? {}) };
    }
  }
  if (!isSet(leaf.port) && isSet(root.port)) {
    out.port = root.port;
  }
  if (!isSet(leaf.sourceNamespace) && isSet(root.sourceNamespace)) {
    out.sourceNamespace = root.sourceNamespace;
  }
  if (!(Array.isArray(leaf.gateways) && leaf.gateways.length > 0) && root.gateways !== undefined) {
    out.gateways = root.gateways;
  }
  if (!isSet(leaf.statPrefix) && isSet(root.statPrefix)) {
    out.statPrefix = root.statPrefix;
  }
  return out as HttpMatchJson;
}

/** Whether a protobuf scalar is set (not absent, 0 nor empty). */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== 0 && value !== '';
}

/** Whether a delegate match conflicts with a root match (pilot's `hasConflict`): it asks for what the root's excludes, or for more than the root's allows. */
export function matchesConflict(root: HttpMatchJson, leaf: HttpMatchJson): boolean {
  if (STRING_FIELDS.some((f) => stringMatchConflict(root[f], leaf[f]))) {
    return true;
  }
  for (const field of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    if (Object.entries(leaf[field] ?? {}).some(([key, value]) => stringMatchConflict(root[field]?.[key], value))) {
      return true;
    }
  }
  if ((root.ignoreUriCase === true) !== (leaf.ignoreUriCase === true)) {
    return true;
  }
  if (isSet(root.port) && isSet(leaf.port) && Number(root.port) !== Number(leaf.port)) {
    return true;
  }
  if (isSet(root.sourceNamespace) && leaf.sourceNamespace !== root.sourceNamespace) {
    return true;
  }
  if (Object.entries(leaf.sourceLabels ?? {}).some(([key, value]) => root.sourceLabels?.[key] !== undefined && root.sourceLabels[key] !== value)) {
    return true;
  }
  const rootGateways = Array.isArray(root.gateways) ? root.gateways as unknown[] : [];
  const leafGateways = Array.isArray(leaf.gateways) ? leaf.gateways as unknown[] : [];
  return rootGateways.length > 0 && leafGateways.length > 0 && (rootGateways.length < leafGateways.length || leafGateways.some((g) => !rootGateways.includes(g)));
}

/** Pilot's `stringMatchConflict`: none when either is unset; a regex on either side with any condition on the other; else the delegate's must be narrower than the root's exact or prefix. */
function stringMatchConflict(root: StringMatchJson | undefined, leaf: StringMatchJson | undefined): boolean {
  if (root === undefined || root === null || leaf === undefined || leaf === null) {
    return false;
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const [rootExact, rootPrefix, rootRegex] = [text(root.exact), text(root.prefix), text(root.regex)];
  const [leafExact, leafPrefix, leafRegex] = [text(leaf.exact), text(leaf.prefix), text(leaf.regex)];
  if (rootRegex !== '' && (leafRegex !== '' || leafPrefix !== '' || leafExact !== '')) {
    return true;
  }
  if (leafRegex !== '' && (rootPrefix !== '' || rootExact !== '')) {
    return true;
  }
  if (rootExact !== '') {
    return leafPrefix !== '' || leafExact !== rootExact;
  }
  if (rootPrefix !== '') {
    if (leafPrefix !== '') {
      return !leafPrefix.startsWith(rootPrefix);
    }
    if (leafExact !== '') {
      return !leafExact.startsWith(rootPrefix);
    }
  }
  return true;
}
