/**
 * Host names as Istio compares them: exact names and `*.suffix` wildcards.
 */

/**
 * Whether a Gateway server's host serves a VirtualService host.
 *
 * `*` serves everything; `*.example.com` serves `a.example.com` and narrower wildcards such as
 * `*.a.example.com`; a plain name serves itself only.
 */
export function hostServes(serverHost: string, host: string): boolean {
  if (serverHost === '*' || serverHost === host) {
    return true;
  }
  if (serverHost.startsWith('*.')) {
    const suffix = serverHost.slice(1); // ".example.com"
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return false;
}

/** Whether two host names can name the same host: either is a wildcard that takes the other, or they are equal. */
export function hostsOverlap(a: string, b: string): boolean {
  return hostServes(a, b) || hostServes(b, a);
}

/**
 * How specific a host name is, to pick the most specific of those that take a host: an exact name
 * above every wildcard, a longer wildcard above a shorter one, `*` (or none) last.
 */
export function hostSpecificity(host: string | undefined): number {
  if (host === undefined || host === '' || host === '*') {
    return 0;
  }
  return host.startsWith('*.') ? host.length : 1_000_000 + host.length;
}

/**
 * Where two lists of hosts meet (pilot's `Names.Intersection`): of each pair that overlaps, the
 * more specific host, each once, in the order of `a`.
 */
export function hostIntersection(a: readonly string[], b: readonly string[]): string[] {
  const result: string[] = [];
  for (const x of a) {
    for (const y of b) {
      const met = hostServes(y, x) ? x : hostServes(x, y) ? y : undefined;
      if (met !== undefined && !result.includes(met)) {
        result.push(met);
      }
    }
  }
  return result;
}
