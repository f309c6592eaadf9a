import { describe, expect, test } from 'vitest';
import { lookUpDelegate, matchesConflict, mergedHttpRules, mergeHttpRule, mergeMatches } from '../../lib/mesh/delegates';
import { MeshIndex } from '../../lib/mesh/manifests';
import { route, virtualService } from '../support/fixtures';

describe('mergeMatches', () => {
  test('takes one side\'s matches when the other has none', () => {
    expect(mergeMatches([], [{ uri: { prefix: '/a' } }])).toEqual([{ uri: { prefix: '/a' } }]);
    expect(mergeMatches([{ uri: { prefix: '/a' } }], [])).toEqual([{ uri: { prefix: '/a' } }]);
  });

  test('merges each delegate match with every root match it does not conflict with, the delegate\'s conditions first', () => {
    // GIVEN root matches for /a (header x: 1) and for GET; a delegate match for /a/b with header y
    const merged = mergeMatches(
      [{ name: 'r', uri: { prefix: '/a' }, headers: { x: { exact: '1' } } }, { method: { exact: 'GET' } }],
      [{ name: 'l', uri: { prefix: '/a/b' }, headers: { y: { exact: '2' } } }],
    );
    // THEN
    expect(merged).toEqual([
      { name: 'r-l', uri: { prefix: '/a/b' }, headers: { x: { exact: '1' }, y: { exact: '2' } } },
      { name: 'l', uri: { prefix: '/a/b' }, method: { exact: 'GET' }, headers: { y: { exact: '2' } } },
    ]);
  });

  test('fails if a delegate match conflicts with every root match: the delegate\'s rule is left out', () => {
    expect(mergeMatches([{ uri: { prefix: '/a' } }], [{ uri: { prefix: '/a/b' } }, { uri: { prefix: '/b' } }])).toBeUndefined();
  });
});

describe('matchesConflict', () => {
  test.each([
    ['a prefix outside the root\'s prefix', { uri: { prefix: '/a' } }, { uri: { prefix: '/b' } }, true],
    ['a prefix under the root\'s prefix', { uri: { prefix: '/a' } }, { uri: { prefix: '/a/b' } }, false],
    ['an exact path under the root\'s prefix', { uri: { prefix: '/a' } }, { uri: { exact: '/a/b' } }, false],
    ['a prefix under the root\'s exact path', { uri: { exact: '/a' } }, { uri: { prefix: '/a' } }, true],
    ['the root\'s exact path', { uri: { exact: '/a' } }, { uri: { exact: '/a' } }, false],
    ['a regex against the root\'s prefix', { uri: { prefix: '/a' } }, { uri: { regex: '/a.*' } }, true],
    ['any uri under a root regex', { uri: { regex: '/a.*' } }, { uri: { prefix: '/a' } }, true],
    ['no uri under a root prefix', { uri: { prefix: '/a' } }, {}, false],
    ['another value of a root header', { headers: { x: { exact: '1' } } }, { headers: { x: { exact: '2' } } }, true],
    ['a header the root does not test', { headers: { x: { exact: '1' } } }, { headers: { y: { exact: '2' } } }, false],
    ['another ignoreUriCase', { ignoreUriCase: true }, {}, true],
    ['another port', { port: 80 }, { port: 8080 }, true],
    ['another source namespace, or none under the root\'s', { sourceNamespace: 'a' }, {}, true],
    ['a gateway the root does not have', { gateways: ['ns/a'] }, { gateways: ['ns/b'] }, true],
  ])('%s: conflict %s', (_what, root, leaf, conflict) => {
    expect(matchesConflict(root as any, leaf as any)).toBe(conflict);
  });
});

describe('mergeHttpRule', () => {
  test('takes the root\'s settings the delegate\'s rule leaves unset, and joins their names', () => {
    // GIVEN a root rule with a timeout, rewrite and mirror, a delegate rule with its own rewrite
    const merged = mergeHttpRule(
      { name: 'root', timeout: '3s', rewrite: { uri: '/r' }, mirror: { host: 'm' }, delegate: { name: 'd' } }, 'shop',
      { name: 'leaf', rewrite: { uri: '/l' }, route: [route('api')] }, 'team',
    );
    // THEN the root's mirror host is completed in the root's namespace, the route's in the delegate's
    expect(merged).toEqual({ name: 'root-leaf', timeout: '3s', rewrite: { uri: '/l' }, mirror: { host: 'm.shop.svc.cluster.local' }, route: [{ destination: { host: 'api.team.svc.cluster.local' } }] });
  });

  test('resolves the gateways of each side\'s matches in its own namespace', () => {
    const merged = mergeHttpRule({ match: [{ gateways: ['gw'] }] }, 'shop', { match: [{ uri: { prefix: '/' } }] }, 'team');
    expect(merged?.match).toEqual([{ uri: { prefix: '/' }, gateways: ['shop/gw'] }]);
  });
});

describe('lookUpDelegate and mergedHttpRules', () => {
  const delegate = (name: string, ns: string, exportTo?: string[]) => {
    const vs = virtualService(name, [{ route: [route('website')] }, { match: [{ uri: { prefix: '/b' } }], route: [route('website')] }], { ns, gateways: null });
    delete vs.spec.hosts;
    if (exportTo !== undefined) {
      vs.spec.exportTo = exportTo;
    }
    return vs;
  };

  test('looks the delegate up in the namespace given, else the root\'s, among VirtualServices without hosts', () => {
    // GIVEN
    const index = new MeshIndex([delegate('d', 'default'), delegate('d', 'team'), virtualService('h', [], { hosts: ['x'] }), delegate('p', 'team', ['.'])]);
    const root = index.virtualServices.find((v) => v.ref.name === 'h')!;
    // THEN
    expect(lookUpDelegate(index.virtualServices, root, { delegate: { name: 'd' } })?.delegate?.ref.namespace).toBe('default');
    expect(lookUpDelegate(index.virtualServices, root, { delegate: { name: 'd', namespace: 'team' } })?.delegate?.ref.namespace).toBe('team');
    expect(lookUpDelegate(index.virtualServices, root, { delegate: { name: 'h' } })?.problem).toBe('has-hosts');
    expect(lookUpDelegate(index.virtualServices, root, { delegate: { name: 'none' } })?.problem).toBe('missing');
    expect(lookUpDelegate(index.virtualServices, root, { delegate: { name: 'p', namespace: 'team' } })?.problem).toBe('not-exported');
    expect(lookUpDelegate(index.virtualServices, root, { route: [] })).toBeUndefined();
  });

  test('puts the delegate\'s merged rules in the root rule\'s place and names the rules it leaves out', () => {
    // GIVEN a root: a rule for /a delegating to d (its second rule, for /b, conflicts), a rule delegating to a missing one, a catch-all
    const index = new MeshIndex([delegate('d', 'default'), virtualService('root', [
      { match: [{ uri: { prefix: '/a' } }], delegate: { name: 'd' } },
      { delegate: { name: 'missing' } },
      { route: [route('website')] },
    ], { hosts: ['x'] })]);
    const root = index.virtualServices.find((v) => v.ref.name === 'root')!;
    // WHEN
    const { rules, dropped } = mergedHttpRules(index.virtualServices, root);
    // THEN
    expect(rules.map((r) => [r.rule, r.delegate?.rule, r.json?.match])).toEqual([[0, 0, [{ uri: { prefix: '/a' } }]], [2, undefined, undefined]]);
    expect(dropped.map((d) => [d.rule, d.conflicting, d.lookup.problem])).toEqual([[0, 1, undefined], [1, undefined, 'missing']]);
  });
});
