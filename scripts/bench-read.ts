/**
 * Benchmark of reading input: `npm run bench:read`.
 *
 * Writes a YAML file of about 50 MB (generated sites, six objects each), then runs
 * `verify` on it in a separate process and prints the time and the peak memory (max RSS), and the
 * time of the 617-byte alias bomb that js-yaml alone would expand to gigabytes. It also times
 * parsing the big file with js-yaml's default schema, with the schema used here (typed as the API
 * server types, with line tracking), and with the `yaml` package, which refuses alias bombs on its
 * own but is slower (on a tenth of the file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { parseManifestText } from '../lib/mesh/read';

function site(i: number): string {
  const ns = `site-${i % 50}`;
  const app = `web-${i}`;
  const deployment = (version: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}-${version}
  namespace: ${ns}
  labels: {app: ${app}, version: ${version}, date: 2024-01-15}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${app}, version: ${version}}
  template:
    metadata:
      labels: {app: ${app}, version: ${version}}
    spec:
      containers:
        - name: web
          image: img:${version}
          ports: [{containerPort: 8080}]
`;
  return [
    `apiVersion: v1\nkind: Service\nmetadata: {name: ${app}, namespace: ${ns}}\nspec:\n  selector: {app: ${app}}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n`,
    deployment('v1', 4),
    deployment('v2', 1),
    `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: ${app}-gateway, namespace: ${ns}}\nspec:\n  selector: {istio: ingressgateway}\n  servers:\n    - port: {number: 80, name: http, protocol: HTTP}\n      hosts: ["${app}.example.com"]\n`,
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ${app}, namespace: ${ns}}\nspec:\n  hosts: ["${app}.example.com"]\n  gateways: [${app}-gateway]\n  http:\n    - match: [{headers: {qa: {exact: canary-test}}}]\n      route: [{destination: {host: ${app}, subset: v2}}]\n    - route:\n        - {destination: {host: ${app}, subset: v2}, weight: 20}\n        - {destination: {host: ${app}, subset: v1}, weight: 80}\n`,
    `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ${app}, namespace: ${ns}}\nspec:\n  host: ${app}\n  subsets:\n    - {name: v1, labels: {version: v1}}\n    - {name: v2, labels: {version: v2}}\n`,
  ].join('---\n');
}

// A folder of its own: the benchmark writes and removes nothing anywhere else.
const dir = mkdtempSync(join(tmpdir(), 'bench-read-'));
try {
  const big = join(dir, 'sites.yaml');
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 50 * 1024 * 1024; i++) {
    const text = `${site(i)}---\n`;
    parts.push(text);
    size += text.length;
  }
  writeFileSync(big, parts.join(''));
  console.log(`input: ${(size / 1024 / 1024).toFixed(1)} MiB, ${parts.length} sites (${parts.length * 6} objects)`);

  const text = readFileSync(big, 'utf8');
  for (const [name, parse] of [
    ['js-yaml, default schema', () => loadAll(text)],
    ['js-yaml, Kubernetes schema, lines and sources (parseManifestText)', () => parseManifestText(text, big)],
  ] as const) {
    const start = performance.now();
    parse();
    console.log(`parse ${name}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
  }
  // The yaml package takes minutes on the whole file: a tenth of it is enough to compare.
  const tenth = text.slice(0, text.indexOf('---\n', text.length / 10) + 4);
  for (const [name, parse] of [
    ['js-yaml, Kubernetes schema (parseManifestText)', () => parseManifestText(tenth, big)],
    ['yaml package (parseAllDocuments + toJS)', () => parseAllDocuments(tenth).map((d: any) => d.toJS())],
  ] as const) {
    const start = performance.now();
    parse();
    console.log(`parse a tenth (${(tenth.length / 1024 / 1024).toFixed(1)} MiB) with ${name}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
  }

  const bomb = join(dir, 'bomb.yaml');
  writeFileSync(bomb, ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    .concat('bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)).join('\n'));
  for (const [name, file] of [['verify on the 50 MB file', big], ['verify on the alias bomb', bomb]]) {
    const script = `const { runCli } = require('./lib/cli/main'); const t = performance.now();
const code = runCli(['verify', ${JSON.stringify(file)}], { stdout: () => undefined, stderr: () => undefined });
console.log(JSON.stringify({ code, ms: performance.now() - t, maxRss: process.resourceUsage().maxRSS }));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: join(__dirname, '..'), encoding: 'utf8', maxBuffer: 1 << 20 });
    const { code, ms, maxRss } = JSON.parse(result.stdout.trim().split('\n').pop()!);
    console.log(`${name}: exit ${code} in ${(ms / 1000).toFixed(2)} s, peak memory ${(maxRss / 1024).toFixed(0)} MB (process, module loading included)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
