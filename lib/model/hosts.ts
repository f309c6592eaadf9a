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
