import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../../lib/cli/main';

const root = join(__dirname, '..', '..');
const stage = (name: string) => join(__dirname, '..', '__snapshots__', 'tutorial', `${name}.yaml`);
const step4 = join(__dirname, '..', 'fixtures', 'tutorial-step4.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  return cliWithStdin(undefined, ...argv);
}

function cliWithStdin(stdin: string | undefined, ...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, ...(stdin !== undefined ? { stdin: () => stdin } : {}) });
  return { code, stdout, stderr };
}

function write(name: string, text: string): string {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
}

/** The line where a stage file's VirtualService document starts (its apiVersion, just before its kind). */
function virtualServiceLine(file: string): number {
  return readFileSync(file, 'utf8').split('\n').indexOf('kind: VirtualService');
}

describe('verify', () => {
  test('reports the tutorial\'s step 4 mistake as an error and exits 1', () => {
    const { code, stdout, stderr } = cli('verify', step4);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe(`ERROR IST0101 VirtualService default/website-virtual-service (${step4}:82): http rule 1 routes to subset "version-2" of host website.default.svc.cluster.local, but DestinationRule default/website does not define it (it defines "version-1"); every request this route takes fails with 503 until the subset exists: add the subset to the DestinationRule before routing to it`);
    expect(stderr).toBe('verified 6 objects (Deployment 2, DestinationRule 1, Gateway 1, Service 1, VirtualService 1): 1 error, 0 warnings, 1 info\n');
  });

  test.each(['01-v1-only', '02-subset-v1', '03-canary-deployed', '04-header-route', '05-weighted'])('finds no error in the library\'s output for stage %s and exits 0', (name) => {
    const { code, stdout } = cli('verify', stage(name));
    expect(code).toBe(0);
    expect(stdout).not.toContain('ERROR');
  });

  test('--json prints the findings as objects with every field', () => {
    const { code, stdout } = cli('verify', '--json', step4);
    expect(code).toBe(1);
    const findings = JSON.parse(stdout);
    expect(findings[0]).toEqual({
      severity: 'error', code: 'unknown-subset', istioCode: 'IST0101', kind: 'VirtualService', namespace: 'default', name: 'website-virtual-service',
      message: expect.stringContaining('subset "version-2"'), source: { file: step4, line: 82 },
    });
    expect(findings[1]).toMatchObject({ severity: 'info', code: 'gateway-selects-no-workload' });
  });

  test('reads folders recursively, only their YAML and JSON files', () => {
    const dir = join(scratch, 'tree');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), '# not a manifest: {');
    writeFileSync(join(dir, 'nested', 'svc.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ name: 'http', port: 80 }] } }));
    writeFileSync(join(dir, 'list.yml'), 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n');
    const { code, stderr } = cli('verify', dir);
    expect(code).toBe(0);
    expect(stderr).toBe('verified 1 object (Service 1): 0 errors, 0 warnings, 0 infos\nskipped 1 object of kinds the checks do not read (ConfigMap 1)\n');
  });

  test('exits 2 on malformed YAML, naming the file and line', () => {
    const file = join(scratch, 'bad.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n');
    const { code, stdout, stderr } = cli('verify', file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^verify: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: malformed YAML: `));
  });

  test('exits 2 on a document that is not an object, and on a missing file', () => {
    const file = join(scratch, 'scalar.yaml');
    writeFileSync(file, 'kind: Service\n---\njust text\n');
    expect(cli('verify', file)).toMatchObject({ code: 2, stderr: `verify: ${file}:3: expected a Kubernetes object (a mapping with apiVersion and kind), got string\n` });
    expect(cli('verify', join(scratch, 'nope.yaml'))).toMatchObject({ code: 2, stderr: `verify: ${join(scratch, 'nope.yaml')}: no such file or folder\n` });
  });

  test('exits 2 with usage on bad options or no files', () => {
    expect(cli('verify')).toMatchObject({ code: 2, stderr: expect.stringContaining('verify: give at least one file or folder (- for standard input)') });
    expect(cli('verify', '--jsn', step4)).toMatchObject({ code: 2, stderr: expect.stringContaining('verify: unknown option --jsn; did you mean --json?') });
  });

  test('- reads standard input', () => {
    const { code, stdout, stderr } = cliWithStdin(readFileSync(step4, 'utf8'), 'verify', '-');
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toMatch(/^ERROR IST0101 VirtualService default\/website-virtual-service \(<stdin>:82\): /);
    expect(stderr).toContain('verified 6 objects');
  });

  test('says what it verified and what it skipped, by kind, Gateway API kinds included', () => {
    // GIVEN
    const file = write('mixed.yaml', [
      readFileSync(step4, 'utf8'),
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p}\n',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\n',
      'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t}\n',
      'replicaCount: 2\nimage: {tag: v1}\n',
    ].join('---\n'));
    // WHEN
    const { stderr } = cli('verify', file);
    // THEN
    expect(stderr).toBe([
      'verified 8 objects (Deployment 2, DestinationRule 1, Gateway 1, Gateway (gateway.networking.k8s.io) 1, HTTPRoute 1, Service 1, VirtualService 1): 1 error, 0 warnings, 1 info',
      'skipped 2 objects of kinds the checks do not read (AuthorizationPolicy 1, TCPRoute 1)',
      'skipped 1 document that is not a Kubernetes object (no apiVersion or kind)',
      '',
    ].join('\n'));
  });

  test('counts GRPCRoutes and TLSRoutes as verified, and reports their mistakes', () => {
    // GIVEN the fixture of docs/verify.md and its copy with three mistakes
    const fixture = (name: string) => join(__dirname, '..', 'fixtures', name);
    // WHEN
    const clean = cli('verify', fixture('grpc-tls-routes.yaml'));
    const mistakes = cli('verify', fixture('grpc-tls-mistakes.yaml'));
    // THEN
    expect(clean).toEqual({ code: 0, stdout: '', stderr: 'verified 9 objects (Deployment 3, GRPCRoute 1, Gateway (gateway.networking.k8s.io) 1, Service 3, TLSRoute 1): 0 errors, 0 warnings, 0 infos\n' });
    expect(mistakes.code).toBe(1);
    expect(mistakes.stderr).toBe('verified 10 objects (Deployment 3, GRPCRoute 1, Gateway (gateway.networking.k8s.io) 1, ReferenceGrant 1, Service 3, TLSRoute 1): 3 errors, 0 warnings, 0 infos\n');
  });

  test('exits 2 on input without a single Kubernetes object, saying so', () => {
    const file = write('values.yaml', 'replicaCount: 2\nimage:\n  tag: v1\n');
    expect(cli('verify', file)).toEqual({ code: 2, stdout: '', stderr: `verify: no Kubernetes object (a mapping with apiVersion and kind) in ${file} (1 document without apiVersion or kind)\n` });
  });

  test('reports fields of the wrong shape with their path and source, and exits 1', () => {
    const file = write('weights.yaml', readFileSync(stage('05-weighted'), 'utf8').replace('weight: 20', 'weight: -20').replace('weight: 80', 'weight: 120'));
    const { code, stdout, stderr } = cli('verify', file);
    expect(code).toBe(1);
    expect(stdout).toContain(`ERROR invalid-field VirtualService default/website-virtual-service (${file}:${virtualServiceLine(stage('05-weighted'))}): spec.http[0].route[0].weight must be a whole number from 0 to 2147483647, got -20;`);
    expect(stderr).toContain('left out 1 object with invalid fields (see the invalid-field errors)');
  });

  test('a second copy of an object replaces the first: stage files applied one after the other are not in conflict', () => {
    const { code, stdout } = cli('verify', stage('04-header-route'), stage('05-weighted'));
    expect(code).toBe(0);
    expect(stdout).not.toContain('IST0109');
    expect(stdout).toContain(`INFO replaced-object VirtualService default/website-virtual-service (${stage('05-weighted')}:${virtualServiceLine(stage('05-weighted'))}): is given twice: this copy replaces the one at ${stage('04-header-route')}:`);
  });

  test('exits 2 with a clear message, fast, on an alias bomb and on an endless input', () => {
    const bomb = write('bomb.yaml', ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
      .concat('bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)).join('\n'));
    const started = Date.now();
    expect(cli('verify', bomb)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^verify: .*bomb\.yaml:1: YAML aliases expand this document to more than 100000 values/) });
    expect(Date.now() - started).toBeLessThan(1000);
    if (existsSync('/dev/zero')) {
      expect(cli('verify', '/dev/zero')).toMatchObject({ code: 2, stderr: 'verify: /dev/zero: input larger than 100 MiB; split it into several files\n' });
    }
  });

  test('says JSON for malformed JSON', () => {
    const file = write('broken.json', '{"apiVersion": "v1", "kind": "Service",}\n');
    expect(cli('verify', file)).toMatchObject({ code: 2, stderr: expect.stringMatching(new RegExp(`^verify: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:\\d+: malformed JSON: `)) });
  });
});

describe('explain', () => {
  test('through the tutorial\'s Gateway API Gateway, a request follows the HTTPRoute: 20% to the version-2 Service, 80% to version 1', () => {
    // GIVEN the weighted stage in Gateway API form
    const file = join(__dirname, '..', '__snapshots__', 'tutorial-gateway-api', '05-weighted.yaml');
    // WHEN
    const { code, stdout } = cli('explain', file);
    // THEN
    expect(code).toBe(0);
    expect(stdout).toBe([
      'request: GET /, host *, via default/website-gateway',
      'matched: HTTPRoute default/website, rule 1: every request',
      '   20% -> website-version-2.default.svc.cluster.local -> Deployment default/web-v2 (1 pod)',
      '   80% -> website-version-1.default.svc.cluster.local -> Deployment default/web-v1 (4 pods)',
      '',
    ].join('\n'));
  });

  test('follows a GRPCRoute to its backends, and does not fail for a host whose listeners carry TLS connections', () => {
    // GIVEN the fixture with a GRPCRoute on an HTTPS listener and a TLSRoute on a TLS listener
    const file = join(__dirname, '..', 'fixtures', 'grpc-tls-routes.yaml');
    // WHEN
    const login = cli('explain', file, '--host', 'grpc.example.com', '--path', '/com.example.User/Login');
    const vault = cli('explain', file, '--host', 'vault.example.com');
    // THEN
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toContain('matched: GRPCRoute default/users, rule 2: method com.example.User/Login');
    expect(vault).toMatchObject({ code: 0, stderr: '' });
    expect(vault.stdout).toContain('warning: TLSRoute default/vault takes TLS connections for host vault.example.com');
    // Near miss: a call of a method no rule takes is answered 404, and fails.
    expect(cli('explain', file, '--host', 'grpc.example.com', '--path', '/com.example.User/Get')).toMatchObject({ code: 1, stderr: 'explain: the request is answered 404: no route matches it\n' });
  });

  test('exits 0 for a request to a TCP port of a Service, whose connections explain does not follow', () => {
    // GIVEN a Service whose only port is named tcp and an in-mesh VirtualService with an http rule
    const file = write('tcp-port.yaml', [
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{name: tcp-web, port: 80}]}\n',
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web}\nspec: {hosts: [web], http: [{match: [{uri: {prefix: /shop}}], route: [{destination: {host: web}}]}]}\n',
    ].join('---\n'));

    // WHEN
    const { code, stdout } = cli('explain', file, '--gateway', 'mesh', '--host', 'web');

    // THEN
    expect(code).toBe(0);
    expect(stdout).toContain('note: port 80 of Service default/web is named "tcp-web", so Istio takes it as TCP, not HTTP');
  });

  test('takes the caller\'s namespace from --from-namespace, and fails if it is not a namespace name', () => {
    // GIVEN a VirtualService of namespace team exported to team only
    const file = write('export-to.yaml', [
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{name: http, port: 80}]}\n',
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web, namespace: team}\nspec: {hosts: [web.default.svc.cluster.local], exportTo: [.], http: [{route: [{destination: {host: web.default.svc.cluster.local}}]}]}\n',
    ].join('---\n'));

    // WHEN / THEN
    expect(cli('explain', file, '--gateway', 'mesh', '--host', 'web.default', '--from-namespace', 'team').stdout).toContain('matched: VirtualService team/web');
    expect(cli('explain', file, '--gateway', 'mesh', '--host', 'web.default').stdout).not.toContain('matched:');
    expect(cli('explain', file, '--gateway', 'mesh', '--from-namespace', 'Team')).toMatchObject({ code: 2 });
    expect(cli('explain', file, '--gateway', 'mesh', '--from-namespace', 'Team').stderr).toContain('--from-namespace must be a namespace name (lower-case letters, digits and \'-\', at most 63), got "Team"');
  });

  test('fails if no HTTPRoute rule matches (404) or a backend Service is not defined (500), with exit code 1', () => {
    // GIVEN a Gateway API Gateway, a route with one path, and a mesh route to a missing Service
    const file = write('gateway-api-routes.yaml', [
      'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{name: http, port: 80}]}\n',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop}\nspec: {parentRefs: [{name: gw}], rules: [{matches: [{path: {type: PathPrefix, value: /shop}}], backendRefs: [{name: web, port: 80}]}]}\n',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: mesh}\nspec: {parentRefs: [{group: "", kind: Service, name: web}], rules: [{backendRefs: [{name: web-v2, port: 80}]}]}\n',
    ].join('---\n'));
    // WHEN / THEN
    expect(cli('explain', file, '--path', '/shop/cart').code).toBe(0);
    const notFound = cli('explain', file, '--path', '/blog');
    expect(notFound.code).toBe(1);
    expect(notFound.stdout).toContain('note: no rule of HTTPRoute default/shop matches: the request is answered 404');
    expect(notFound.stderr).toContain('the request is answered 404');
    const missing = cli('explain', file, '--gateway', 'mesh', '--host', 'web');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('100% -> web-v2.default.svc.cluster.local -> Service not defined: 500');
    expect(missing.stderr).toContain('100% of these requests fail with 500: Service web-v2.default.svc.cluster.local is not defined');
  });

  test('at the final stage, a plain request goes 20% to version-2 (1 pod) and 80% to version-1 (4 pods)', () => {
    const { code, stdout } = cli('explain', stage('05-weighted'));
    expect(code).toBe(0);
    expect(stdout).toBe([
      'request: GET /, host *, via default/website-gateway',
      'matched: VirtualService default/website-virtual-service, http rule 1: every request',
      '   20% -> subset version-2 of website.default.svc.cluster.local -> Deployment default/web-v2 (1 pod)',
      '   80% -> subset version-1 of website.default.svc.cluster.local -> Deployment default/web-v1 (4 pods)',
      '',
    ].join('\n'));
  });

  test('at the final stage, qa: canary-test is not matched any more', () => {
    const { stdout } = cli('explain', stage('05-weighted'), '--header', 'qa=canary-test');
    expect(stdout).toContain('http rule 1: every request');
    expect(stdout).toContain('   20% -> subset version-2');
    expect(stdout).toContain('note: no rule of VirtualService default/website-virtual-service tests header qa, so its value "canary-test" does not change where the request goes');
  });

  test('at header-route, qa: canary-test goes 100% to version-2, a plain request 100% to version-1', () => {
    expect(cli('explain', stage('04-header-route'), '--header', 'qa=canary-test', '--gateway', 'website-gateway').stdout).toBe([
      'request: GET /, host *, via default/website-gateway, headers qa: canary-test',
      'matched: VirtualService default/website-virtual-service, http rule 1: header qa exactly "canary-test"',
      '  100% -> subset version-2 of website.default.svc.cluster.local -> Deployment default/web-v2 (1 pod)',
      '',
    ].join('\n'));
    expect(cli('explain', stage('04-header-route'), '--header=qa=other').stdout).toContain('  100% -> subset version-1 of website.default.svc.cluster.local -> Deployment default/web-v1 (4 pods)');
  });

  test('--json gives the explanation as data', () => {
    const data = JSON.parse(cli('explain', '--json', stage('05-weighted')).stdout);
    expect(data.destinations.map((d: any) => [d.percent, d.subset, d.workloads.map((w: any) => [w.ref.name, w.replicas])])).toEqual([
      [20, 'version-2', [['web-v2', 1]]],
      [80, 'version-1', [['web-v1', 4]]],
    ]);
  });

  test('in-mesh requests to a VirtualService bound to the gateway only go to the Service directly', () => {
    const { code, stdout } = cli('explain', stage('05-weighted'), '--gateway', 'mesh', '--host', 'website');
    expect(code).toBe(0);
    expect(stdout).toContain('note: no VirtualService bound to mesh serves host website: the request goes to the Service directly, without Istio routing');
  });

  test('exits 1 when the request is answered 404: no route matches it', () => {
    const file = write('api-only.yaml', readFileSync(stage('05-weighted'), 'utf8').replace('  http:\n', '  http:\n    - match: [{uri: {prefix: /api}}]\n      route: [{destination: {host: website, subset: version-1}}]\n').replace(/\n {4}- route:\n(.*\n)*?(?=---)/, '\n'));
    const { code, stdout, stderr } = cli('explain', file);
    expect(stdout).toContain('note: no rule of VirtualService default/website-virtual-service matches: the request is answered 404');
    expect(stderr).toBe('explain: the request is answered 404: no route matches it\n');
    expect(code).toBe(1);
  });

  test('exits 1 when the requests go to a host that is not defined (503)', () => {
    const file = write('unknown-host.yaml', [
      'apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: {name: shop}',
      'spec:', '  hosts: [shop]', '  http:', '    - route: [{destination: {host: shop}}]', '',
    ].join('\n'));
    const { code, stderr } = cli('explain', '--gateway', 'mesh', '--host', 'shop', file);
    expect(stderr).toContain('explain: 100% of these requests fail with 503: host shop.default.svc.cluster.local is not defined by any Service or ServiceEntry\n');
    expect(code).toBe(1);
  });

  test('exits 0 for a request a redirect answers, and shows the redirect\'s location in text and JSON', () => {
    // GIVEN the shop fixture, whose HTTP listener redirects to HTTPS
    const shop = join(__dirname, '..', 'fixtures', 'shop-gateway-api.yaml');
    // WHEN
    const text = cli('explain', shop, '--host', 'shop.example.com', '--port', '80', '--path', '/cart');
    const json = JSON.parse(cli('explain', '--json', shop, '--host', 'shop.example.com', '--port', '80', '--path', '/cart').stdout);
    // THEN
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain('note: rule 1 of HTTPRoute default/shop-http answers with a 301 redirect to https://shop.example.com/cart\n');
    expect(json.redirect).toEqual({ status: 301, location: 'https://shop.example.com/cart' });
    expect(json.destinations).toEqual([]);
  });

  test('exits 0 for a plain-HTTP request that an Istio Gateway server with tls.httpsRedirect answers with a redirect', () => {
    // GIVEN an Istio Gateway whose port 80 server redirects to HTTPS
    const file = write('https-redirect.yaml', [
      'apiVersion: networking.istio.io/v1', 'kind: Gateway', 'metadata: {name: public}',
      'spec:', '  selector: {istio: ingressgateway}', '  servers:',
      '    - {port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com], tls: {httpsRedirect: true}}', '---',
      'apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: {name: shop}',
      'spec:', '  hosts: [shop.example.com]', '  gateways: [public]', '  http:', '    - route: [{destination: {host: shop}}]', '',
    ].join('\n'));
    // WHEN
    const json = cli('explain', '--json', file, '--host', 'shop.example.com', '--path', '/cart');
    // THEN
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout).redirect).toEqual({ status: 301, location: 'https://shop.example.com/cart' });
  });

  test('exits 1 when an HTTPRoute rule without backends answers 500, and 0 for a VirtualService\'s direct response', () => {
    // GIVEN a mesh HTTPRoute rule that only mirrors, and a VirtualService rule that answers 503 on purpose
    const route = write('no-backends.yaml', [
      'apiVersion: gateway.networking.k8s.io/v1', 'kind: HTTPRoute', 'metadata: {name: web}',
      'spec:', '  parentRefs: [{group: "", kind: Service, name: web, port: 80}]',
      '  rules:', '    - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: web-v2, port: 80}}}]', '',
    ].join('\n'));
    const maintenance = write('maintenance.yaml', [
      'apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: {name: shop}',
      'spec:', '  hosts: [shop]', '  http:', '    - directResponse: {status: 503}', '',
    ].join('\n'));
    // WHEN / THEN
    expect(cli('explain', '--gateway', 'mesh', '--host', 'web', '--port', '80', route)).toMatchObject({
      code: 1, stderr: 'explain: the request is answered 500: rule 1 of HTTPRoute default/web sends it to no backend\n',
    });
    const answered = cli('explain', '--gateway', 'mesh', '--host', 'shop', maintenance);
    expect(answered).toMatchObject({ code: 0, stderr: '' });
    expect(answered.stdout).toContain('note: http rule 1 of VirtualService default/shop answers directly with status 503\n');
  });

  test('a VirtualService with only TCP rules is not followed, which is not a 404', () => {
    const file = write('tcp-only.yaml', [
      'apiVersion: v1', 'kind: Service', 'metadata: {name: db}', 'spec: {selector: {app: db}, ports: [{name: tcp, port: 3306}]}', '---',
      'apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: {name: db}',
      'spec:', '  hosts: [db]', '  tcp:', '    - route: [{destination: {host: db}}]', '',
    ].join('\n'));
    const { code, stdout, stderr } = cli('explain', '--gateway', 'mesh', '--host', 'db', file);
    // The port is named tcp: the port's protocol already says that no http rule applies.
    expect(stdout).toContain('note: the tcp or tls rules of VirtualService default/db route these connections, which explain does not follow (it explains HTTP requests)');
    expect(stderr).not.toContain('404');
    expect(code).toBe(0);
  });

  test('exits 1 when a share of the requests goes to a subset that is not defined (503)', () => {
    const { code, stderr } = cli('explain', stage('05-weighted'), write('dr-without-v2.yaml', [
      'apiVersion: networking.istio.io/v1', 'kind: DestinationRule', 'metadata: {name: website, namespace: default}',
      'spec:', '  host: website', '  subsets:', '    - {name: version-1, labels: {version: website-version-1}}', '',
    ].join('\n')));
    expect(stderr).toContain('explain: 20% of these requests fail with 503: subset version-2 of website.default.svc.cluster.local is not defined by any DestinationRule\n');
    expect(stderr).toContain('INFO replaced-object DestinationRule default/website');
    expect(code).toBe(1);
  });

  test('follows the last copy of objects given twice, each Deployment once', () => {
    // GIVEN the header-route stage applied after the weighted one
    const { code, stdout } = cli('explain', stage('05-weighted'), stage('04-header-route'));
    // THEN the header-route VirtualService answers, with one Deployment per subset
    expect(code).toBe(0);
    expect(stdout).toContain('matched: VirtualService default/website-virtual-service, http rule 2: every request\n  100% -> subset version-1 of website.default.svc.cluster.local -> Deployment default/web-v1 (4 pods)\n');
  });

  test('--json numbers rules from 1, as the text does', () => {
    const data = JSON.parse(cli('explain', '--json', stage('04-header-route')).stdout);
    expect(data.rule).toEqual({ number: 2, matchedBy: 'every request' });
    expect(cli('explain', stage('04-header-route')).stdout).toContain('http rule 2: every request');
  });

  test('exits 2, without a stack trace, on a path with a bad % escape or a bad port', () => {
    expect(cli('explain', stage('05-weighted'), '--path', '/?a=%')).toMatchObject({ code: 2, stderr: expect.stringContaining('explain: --path must have each % followed by two hex digits of UTF-8 (write a literal % as %25), got "/?a=%"') });
    expect(cli('explain', stage('05-weighted'), '--port', '80x')).toMatchObject({ code: 2, stderr: expect.stringContaining('explain: --port must be a whole number from 1 to 65535, got "80x"') });
  });

  test('--port takes a port number', () => {
    expect(cli('explain', stage('05-weighted'), '--port', '80')).toMatchObject({ code: 0 });
  });

  test('prints invalid objects to stderr, leaves them out and exits 1', () => {
    const file = write('invalid-weights.yaml', readFileSync(stage('05-weighted'), 'utf8').replace('weight: 20', 'weight: "20"'));
    const { code, stdout, stderr } = cli('explain', file);
    expect(stderr).toContain('ERROR invalid-field VirtualService default/website-virtual-service');
    expect(stdout).not.toContain('%');
    expect(code).toBe(1);
  });

  test('exits 2 on an unknown gateway or a malformed header', () => {
    expect(cli('explain', stage('05-weighted'), '--gateway', 'public')).toMatchObject({ code: 2, stderr: 'explain: no Gateway "public" in the manifests (they define default/website-gateway); use mesh for in-mesh requests\n' });
    expect(cli('explain', stage('05-weighted'), '--header', 'qa')).toMatchObject({ code: 2, stderr: expect.stringContaining('explain: --header takes NAME=VALUE, got "qa"') });
  });
});

describe('diagram', () => {
  test('draws gateway, rules with matches, subsets with weights and Deployments with replicas', () => {
    const { code, stdout } = cli('diagram', stage('04-header-route'));
    expect(code).toBe(0);
    expect(stdout).toMatchSnapshot();
    expect(stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(stdout).toContain('[/"Gateway default/website-gateway"/]');
    expect(stdout).toContain('{"rule 1<br/>header qa exactly #quot;canary-test#quot;"}');
    expect(stdout).toMatch(/n\d+ -->\|100%\| n\d+/);
    expect(stdout).toContain('[("Deployment default/web-v1<br/>4 replicas")]');
  });

  test('labels weighted edges with their shares', () => {
    const { stdout } = cli('diagram', stage('05-weighted'));
    expect(stdout).toMatch(/-->\|20%\| n\d+/);
    expect(stdout).toMatch(/-->\|80%\| n\d+/);
  });

  test('exits 1 when it draws without objects that have invalid fields, named on stderr', () => {
    const file = write('invalid-gateways.yaml', readFileSync(stage('05-weighted'), 'utf8').replace('  gateways:\n    - website-gateway\n', '  gateways: website-gateway\n'));
    const { code, stdout, stderr } = cli('diagram', file);
    expect(stderr).toContain(`ERROR invalid-field VirtualService default/website-virtual-service (${file}:${virtualServiceLine(stage('05-weighted'))}): spec.gateways must be a list, got the string "website-gateway"`);
    expect(stdout).not.toContain('VirtualService');
    expect(code).toBe(1);
  });
});

describe('the command line', () => {
  test('--help on every command, to stdout, exit 0', () => {
    for (const command of ['verify', 'explain', 'diagram']) {
      const { code, stdout } = cli(command, '--help');
      expect(code).toBe(0);
      expect(stdout).toContain(`usage: cdk8s-istio-canary ${command}`);
    }
    expect(cli('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('commands:') });
  });

  test('no command or an unknown one: usage to stderr, exit 2', () => {
    expect(cli()).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('usage: cdk8s-istio-canary <command>') });
    expect(cli('lint', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "lint"\n') });
  });

  test('-h and help <command> show the command\'s help; help alone the top help', () => {
    for (const argv of [['verify', '-h'], ['help', 'verify'], ['verify', '--help', step4]]) {
      expect(cli(...argv)).toMatchObject({ code: 0, stdout: expect.stringContaining('usage: cdk8s-istio-canary verify [--json]') });
    }
    expect(cli('help', 'explain')).toMatchObject({ code: 0, stdout: expect.stringContaining('--port PORT') });
    expect(cli('help')).toMatchObject({ code: 0, stdout: expect.stringContaining('commands:') });
    expect(cli('help', 'lint')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "lint"') });
  });

  test('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(cli('--version')).toEqual({ code: 0, stdout: `cdk8s-istio-canary ${version}\n`, stderr: '' });
  });

  test('suggests the command or option meant', () => {
    expect(cli('verfy', step4)).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "verfy"; did you mean "verify"?') });
    expect(cli('explain', step4, '--hedaer', 'a=b')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --hedaer; did you mean --header?') });
    expect(cli('diagram', '-x', step4)).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option -x') });
  });

  test('a file whose name starts with - can be given after --', () => {
    expect(cli('verify', '--', join(scratch, '-missing.yaml'))).toMatchObject({ code: 2, stderr: expect.stringContaining('-missing.yaml: no such file or folder') });
  });

  test('an internal error is one line and exit code 3, never a stack trace', () => {
    let stderr = '';
    const code = runCli(['verify', step4], { stdout: () => { throw new TypeError('write failed'); }, stderr: (t) => { stderr += t; } });
    expect(code).toBe(3);
    expect(stderr).toBe('verify: internal error (a bug, please report it): TypeError: write failed\n');
  });
});
