import { describe, expect, test } from 'vitest';
import { mermaidDiagram } from '../../lib/mesh/diagram';
import { route, tutorial, tutorialStep4AsWritten, virtualService } from '../support/fixtures';

describe('mermaidDiagram', () => {
  test('draws the mesh as a gateway node, mirrors as dotted edges, and escapes quotes', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [
      { match: [{ headers: { qa: { exact: 'a"b' } } }], route: [route('website', 'version-2')] },
      { route: [route('website', 'version-1')], mirror: { host: 'website', subset: 'version-2' } },
    ], { hosts: ['website'], gateways: ['mesh'] })];
    const diagram = mermaidDiagram(manifests);
    expect(diagram).toContain('n0(("mesh"))');
    expect(diagram).toContain('header qa exactly #quot;a#quot;b#quot;');
    expect(diagram).toMatch(/n\d+ -\.->\|mirror\| n\d+/);
    // One node per subset and per Deployment, however many rules reach them.
    expect(diagram.match(/\["subset version-2/g)).toHaveLength(1);
    expect(diagram.match(/Deployment default\/web-v2/g)).toHaveLength(1);
  });

  test('is an empty flowchart without VirtualServices', () => {
    expect(mermaidDiagram([])).toBe('flowchart LR\n');
  });
});

describe('mermaidDiagram on what does not exist', () => {
  test('draws the tutorial step 4\'s undefined subset as a dead end (503), not as a subset', () => {
    // GIVEN the tutorial's step 4, whose header route names subset version-2 before it is defined
    const diagram = mermaidDiagram(tutorialStep4AsWritten());
    // THEN version-2 is drawn as missing, version-1 as a subset with its Deployment
    expect(diagram).toMatch(/n\d+>"subset version-2 not defined<br\/>website\.default\.svc\.cluster\.local<br\/>503"\]/);
    expect(diagram).not.toContain('["subset version-2');
    expect(diagram).toContain('["subset version-1<br/>website.default.svc.cluster.local"]');
  });

  test('draws an unknown host as a dead end', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [{ route: [route('webiste')] }])];
    expect(mermaidDiagram(manifests)).toMatch(/n\d+>"host not defined: webiste\.default\.svc\.cluster\.local<br\/>no Service or ServiceEntry<br\/>503"\]/);
  });
});

describe('mermaidDiagram and TCP or TLS rules', () => {
  test('draws TCP and TLS rules after the HTTP ones, with their kind', () => {
    const vs = virtualService('db', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] });
    vs.spec.tcp = [{ match: [{ port: 5432 }], route: [route('website', 'version-2')] }];
    vs.spec.tls = [{ match: [{ sniHosts: ['website'] }], route: [route('website', 'version-1')] }];
    const diagram = mermaidDiagram([...tutorial().filter((m) => m.kind !== 'VirtualService'), vs]);
    expect(diagram).toContain('{"rule 1<br/>every request"}');
    expect(diagram).toMatch(/n(\d+)\{"tcp rule 1<br\/>port 5432"\}\n {2}n\d+ --> n\1\n {2}n\d+\["subset version-2/);
    expect(diagram).toContain('{"tls rule 1<br/>sniHosts [#quot;website#quot;]"}');
  });
});
