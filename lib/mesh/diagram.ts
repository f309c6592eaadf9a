import { describeRule } from './describe';
import { routeShares } from './http-match';
import { missingPart } from './explain';
import { Manifest, MeshIndex } from './manifests';

/**
 * A Mermaid flowchart of the routing: Gateways → VirtualService rules (HTTP, TCP and TLS, with their matches) →
 * subsets (with weights) → Deployments (with replicas). GitHub renders it in a `mermaid` block.
 */
export function mermaidDiagram(manifests: readonly Manifest[]): string {
  const index = new MeshIndex(manifests);
  const lines = ['flowchart LR'];
  const ids = new Map<string, string>();
  const edges = new Set<string>();
  const id = (key: string, declare: (nodeId: string) => string) => {
    let nodeId = ids.get(key);
    if (nodeId === undefined) {
      nodeId = `n${ids.size}`;
      ids.set(key, nodeId);
      lines.push(`  ${declare(nodeId)}`);
    }
    return nodeId;
  };
  const label = (...parts: string[]) => `"${parts.map(escape).join('<br/>')}"`;

  for (const vs of index.virtualServices) {
    const gwIds = vs.gateways.map((gw) => (gw === 'mesh'
      ? id('gw:mesh', (n) => `${n}((${label('mesh')}))`)
      : id(`gw:${gw}`, (n) => `${n}[/${label(`Gateway ${gw}`)}/]`)));
    const vsId = id(`vs:${vs.ref.namespace}/${vs.ref.name}`, (n) => `${n}[${label(`VirtualService ${vs.ref.namespace}/${vs.ref.name}`, `hosts: ${vs.hosts.join(', ')}`)}]`);
    gwIds.forEach((gwId) => lines.push(`  ${gwId} --> ${vsId}`));
    const destinations = index.destinationsOf(vs);
    // HTTP rules are "rule N" as they always were; TCP and TLS rules say their kind.
    const rules = (['http', 'tcp', 'tls'] as const).flatMap((kind) => vs[kind].map((rule, i) => ({ kind, rule, i })));
    rules.forEach(({ kind, rule, i }) => {
      const title = `${kind === 'http' ? '' : `${kind} `}rule ${i + 1}${typeof rule?.name === 'string' ? ` ${rule.name}` : ''}`;
      const ruleId = id(`rule:${vs.ref.namespace}/${vs.ref.name}/${kind}/${i}`, (n) => `${n}{${label(title, describeRule(rule))}}`);
      lines.push(`  ${vsId} --> ${ruleId}`);
      const ofRule = destinations.filter((d) => d.kind === kind && d.rule === i);
      const routes = ofRule.filter((d) => !d.mirror);
      const shares = routeShares(routes);
      const targets = [
        ...routes.map((r, k) => ({ destination: r.destination, edge: `-->|${Math.round(shares[k])}%|` })),
        ...ofRule.filter((d) => d.mirror).map((d) => ({ destination: d.destination, edge: '-.->|mirror|' })),
      ];
      for (const d of targets) {
        const host = index.resolveHost(String(d.destination.host ?? ''), vs.ref.namespace);
        const subset: string | undefined = d.destination.subset;
        const missing = missingPart(index, host, subset);
        // What does not exist is drawn as a dead end (an asymmetric node), never as a subset with pods.
        const targetId = missing === undefined
          ? id(`dest:${host}#${subset ?? ''}`, (n) => `${n}[${label(subset !== undefined ? `subset ${subset}` : 'any pod', host)}]`)
          : id(`missing:${host}#${subset ?? ''}`, (n) => `${n}>${label(missing === 'host' ? `host not defined: ${host}` : `subset ${subset} not defined`, missing === 'host' ? 'no Service or ServiceEntry' : host, '503')}]`);
        lines.push(`  ${ruleId} ${d.edge} ${targetId}`);
        for (const w of index.workloadsBehind(host, subset)) {
          const replicas = w.replicas === undefined ? 'one pod per node' : `${w.replicas} ${w.replicas === 1 ? 'replica' : 'replicas'}`;
          const wId = id(`w:${w.ref.kind}/${w.ref.namespace}/${w.ref.name}`, (n) => `${n}[(${label(`${w.ref.kind} ${w.ref.namespace}/${w.ref.name}`, replicas)})]`);
          if (!edges.has(`${targetId}->${wId}`)) {
            edges.add(`${targetId}->${wId}`);
            lines.push(`  ${targetId} --> ${wId}`);
          }
        }
      }
    });
  }
  for (const o of index.gatewayApi) {
    const what = o.ref.kind === 'Gateway' ? 'Gateway API Gateway' : o.ref.kind;
    id(`api:${o.ref.kind}/${o.ref.namespace}/${o.ref.name}`, (n) => `${n}>${label(`warning: ${what} ${o.ref.namespace}/${o.ref.name} is not drawn`, 'the Gateway API is not modelled: routing may differ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** Mermaid labels are quoted: quotes and angle brackets become entities. */
function escape(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
