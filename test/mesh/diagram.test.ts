import { describe, expect, test } from 'vitest';
import { mermaidDiagram } from '../../lib/mesh/diagram';
import { route, tutorial, virtualService } from '../support/fixtures';

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
