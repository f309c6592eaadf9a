#!/usr/bin/env node
/**
 * The command line: `cdk8s-istio-canary verify|explain|diagram <file|dir|->...`.
 *
 * Exit codes: 0 nothing wrong, 1 errors found (or, for explain, a request that fails), 2 input
 * that cannot be used or bad usage, 3 an internal error (a bug: one line, never a stack trace).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mermaidDiagram } from '../mesh/diagram';
import { ExplainError, Explanation, ExplainOptions, explainIndexed, formatExplanation } from '../mesh/explain';
import { compareText, Finding, formatFinding, Severity } from '../mesh/findings';
import { MESH_GATEWAY, MeshIndex } from '../mesh/manifests';
import { prepareManifests, PreparedManifests } from '../mesh/prepare';
import { InputError, readManifests } from '../mesh/read';
import { verifyPrepared } from '../mesh/verify';

/** Where the command line reads and writes. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * Reads standard input, for the file `-`.
   * @default - the process's standard input
   */
  readonly stdin?: () => string;
}

/** Exit codes. */
export const EXIT = { OK: 0, FOUND: 1, UNUSABLE: 2, INTERNAL: 3 } as const;

const NAME = 'cdk8s-istio-canary';

const USAGE = `usage: ${NAME} <command> [options] <file|dir|->...

commands:
  verify    check that every request a VirtualService routes reaches a gateway, host and
            subset that exist and select pods
  explain   say which rule a request matches and where it goes
  diagram   print a Mermaid flowchart of gateways, rules, subsets and Deployments
  help      show the help of a command: help <command>

Files are YAML or JSON manifests (multi-document); folders are read recursively (node_modules
and names starting with a dot left out); - reads standard input. Run "${NAME} help <command>" or
"${NAME} <command> --help" for a command's options; --version prints the version.

exit code: 0 nothing wrong, 1 errors found, 2 unusable input or bad usage, 3 internal error
`;

const HELP: Record<string, string> = {
  verify: `usage: ${NAME} verify [--json] <file|dir|->...

Checks the manifests as a whole, offline, as the cluster would hold them (an object given twice
counts as its last copy), and prints one line per finding:
  SEVERITY CODE Kind namespace/name (file:line): message
where CODE is istioctl's message code where it has the same check, else ours. A summary of what
was verified and what was skipped, by kind, goes to stderr.

options:
  --json        print the findings as a JSON array of
                {severity, code, istioCode, kind, namespace, name, message, source: {file, line}}
  -h, --help    this text

exit code: 0 no error (warnings allowed), 1 at least one error, 2 unusable input or bad usage
`,
  explain: `usage: ${NAME} explain [options] <file|dir|->...

Says which VirtualService rule (or Gateway API HTTPRoute rule) a request matches and where it
goes: each destination with its share, its subset, and the workloads and pods behind it; the
copies mirrored; or the redirect (status and location) or direct response that answers it instead.

options:
  --gateway NAME     the gateway the request comes through (name, namespace/name, or mesh);
                     default: the only Istio Gateway in the manifests, or with none, the
                     only Gateway API Gateway
  --host HOST        the host asked for; default: any (needed when several VirtualServices
                     are bound to the gateway)
  --path PATH        the path, with an optional ?query; default /
  --header K=V       a request header; repeat for more
  --method METHOD    default GET
  --port PORT        the port the request is sent to; default: the port of --host, if any,
                     else any
  --from-namespace NS
                     in the mesh, the namespace of the calling pod: only VirtualServices
                     exported to it apply, and a short --host is a Service of it; default: default
  --json             print the explanation as JSON
  -h, --help         this text

exit code: 0 the request is routed or answered as configured (a redirect, a direct response), 1 it
is answered 404 (no route) or 500 (an HTTPRoute rule without backends), or some of it fails with
503 (a subset that is not defined), or an object has invalid fields; 2 unusable input or bad usage
`,
  diagram: `usage: ${NAME} diagram <file|dir|->...

Prints a Mermaid flowchart (gateways -> VirtualService rules -> subsets with weights ->
Deployments with replicas; Gateway API Gateways or Services -> HTTPRoute rules -> Services with
weights -> Deployments; mirrors as dotted edges, redirects and direct responses as rounded
nodes). Put it in a \`\`\`mermaid block to have GitHub render it.

options:
  -h, --help    this text

exit code: 0 drawn, 1 drawn without objects that have invalid fields, 2 unusable input or bad usage
`,
};

class UsageError extends Error {}

interface Parsed {
  readonly paths: string[];
  readonly flags: Set<string>;
  readonly values: Map<string, string[]>;
}

/** The edit distance of two short words. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** `; did you mean "x"?` for the closest of `known`, when it is close. */
function suggestion(given: string, known: readonly string[], quote = (s: string) => `"${s}"`): string {
  const best = known.map((k) => ({ k, d: distance(given, k) })).sort((a, b) => a.d - b.d)[0];
  return best !== undefined && best.d <= Math.max(1, Math.floor(best.k.length / 3)) ? `; did you mean ${quote(best.k)}?` : '';
}

function parse(args: readonly string[], flags: readonly string[], valued: readonly string[]): Parsed {
  const parsed: Parsed = { paths: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      parsed.paths.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      parsed.flags.add('help');
      continue;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      parsed.paths.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? (eq > 0 ? arg.slice(2, eq) : arg.slice(2)) : undefined;
    if (name !== undefined && flags.includes(name)) {
      if (eq > 0) {
        throw new UsageError(`--${name} takes no value, got "${arg}"`);
      }
      parsed.flags.add(name);
    } else if (name !== undefined && valued.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) {
        throw new UsageError(`--${name} needs a value`);
      }
      parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
    } else {
      const options = [...flags, ...valued].map((o) => `--${o}`);
      throw new UsageError(`unknown option ${eq > 0 ? arg.slice(0, eq) : arg}${suggestion(eq > 0 ? arg.slice(0, eq) : arg, options, (s) => s)} (a file whose name starts with - can be given after --)`);
    }
  }
  if (parsed.paths.length === 0 && !parsed.flags.has('help')) {
    throw new UsageError('give at least one file or folder (- for standard input)');
  }
  return parsed;
}

function one(parsed: Parsed, name: string): string | undefined {
  const values = parsed.values.get(name) ?? [];
  if (values.length > 1) {
    throw new UsageError(`--${name} can be given once`);
  }
  return values[0];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function byKind(counts: ReadonlyMap<string, number>): string {
  return [...counts].sort(([a], [b]) => compareText(a, b)).map(([kind, n]) => `${kind} ${n}`).join(', ');
}

/** Reads and prepares the manifests; input without a single Kubernetes object cannot be used. */
function load(paths: readonly string[], io: CliIo): PreparedManifests {
  const prepared = prepareManifests(readManifests(paths, { stdin: io.stdin }));
  if (prepared.verified.size === 0 && prepared.skipped.size === 0 && prepared.invalid === 0 && prepared.replaced === 0) {
    throw new InputError(`no Kubernetes object (a mapping with apiVersion and kind) in ${paths.map((p) => (p === '-' ? 'standard input' : p)).join(', ')}${prepared.notObjects > 0 ? ` (${plural(prepared.notObjects, 'document')} without apiVersion or kind)` : ''}`);
  }
  return prepared;
}

function findingJson(f: Finding): object {
  return {
    severity: f.severity, code: f.code, istioCode: f.istioCode ?? null, kind: f.kind, namespace: f.namespace, name: f.name, message: f.message,
    source: f.source !== undefined ? { file: f.source.file, line: f.source.line } : null,
  };
}

function verifyCommand(args: readonly string[], io: CliIo): number {
  const parsed = parse(args, ['json', 'help'], []);
  if (parsed.flags.has('help')) {
    io.stdout(HELP.verify);
    return EXIT.OK;
  }
  const prepared = load(parsed.paths, io);
  const findings = verifyPrepared(prepared);
  if (parsed.flags.has('json')) {
    io.stdout(`${JSON.stringify(findings.map(findingJson), null, 2)}\n`);
  } else {
    io.stdout(findings.map((f) => `${formatFinding(f)}\n`).join(''));
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const verified = [...prepared.verified.values()].reduce((a, b) => a + b, 0);
  const skipped = [...prepared.skipped.values()].reduce((a, b) => a + b, 0);
  const lines = [
    `verified ${plural(verified, 'object')}${verified > 0 ? ` (${byKind(prepared.verified)})` : ''}: ${plural(count(Severity.ERROR), 'error')}, ${plural(count(Severity.WARNING), 'warning')}, ${plural(count(Severity.INFO), 'info')}`,
    ...(prepared.invalid > 0 ? [`left out ${plural(prepared.invalid, 'object')} with invalid fields (see the invalid-field errors)`] : []),
    ...(skipped > 0 ? [`skipped ${plural(skipped, 'object')} of kinds the checks do not read (${byKind(prepared.skipped)})`] : []),
    ...(prepared.notObjects > 0 ? [`skipped ${plural(prepared.notObjects, 'document')} that ${prepared.notObjects === 1 ? 'is' : 'are'} not a Kubernetes object (no apiVersion or kind)`] : []),
  ];
  io.stderr(lines.map((l) => `${l}\n`).join(''));
  return count(Severity.ERROR) > 0 ? EXIT.FOUND : EXIT.OK;
}

/** The findings of the preparation (invalid objects, replaced copies), to stderr; whether any is an error. */
function reportPrepared(prepared: PreparedManifests, io: CliIo): boolean {
  io.stderr(prepared.findings.map((f) => `${formatFinding(f)}\n`).join(''));
  return prepared.findings.some((f) => f.severity === Severity.ERROR);
}

/** Why the request explained fails, if it does: no route (404), or a share sent to a subset that is not defined (503). */
function failure(explanation: Explanation, index: MeshIndex): string | undefined {
  const vs = explanation.virtualService;
  // A VirtualService with only TCP or TLS rules is not followed (the notes say so): no answer to judge.
  const notFollowed = vs !== undefined && index.virtualServices.some((v) => v.ref.kind === vs.kind && v.ref.namespace === vs.namespace && v.ref.name === vs.name
    && v.http.length === 0 && v.tcp.length + v.tls.length > 0);
  // Where only TLSRoutes take the host, or its listeners are all TLS, it gets TLS connections, which explain does not follow: no answer to judge either.
  const tlsOnly = explanation.tls !== undefined && (explanation.tls.tlsOnly || (explanation.httpRoute === undefined && explanation.grpcRoute === undefined));
  const routed = vs !== undefined || explanation.httpRoute !== undefined || explanation.grpcRoute !== undefined;
  // An Istio Gateway's server with tls.httpsRedirect answers with a redirect before any route: an answer as configured.
  // A Service port Istio takes as TCP gets connections, which explain does not follow: no answer to judge.
  const noRoute = explanation.redirect === undefined && explanation.nonHttp === undefined
    && (routed ? explanation.rule === undefined && !notFollowed : explanation.request.gateway !== MESH_GATEWAY && !tlsOnly);
  if (noRoute) {
    return 'the request is answered 404: no route matches it';
  }
  // Istio answers an HTTPRoute rule without backends (nor redirect) with 500: a mistake, where a VirtualService's directResponse is configured.
  const route = vs === undefined ? explanation.httpRoute ?? explanation.grpcRoute : undefined;
  if (route !== undefined && explanation.directResponse !== undefined) {
    return `the request is answered ${explanation.directResponse.status}: rule ${explanation.rule?.number} of ${route.kind} ${route.namespace}/${route.name} sends it to no backend`;
  }
  const missing = explanation.destinations.filter((d) => d.missing !== undefined && d.percent > 0);
  if (missing.length > 0) {
    const percent = Math.round(missing.reduce((a, d) => a + d.percent, 0) * 100) / 100;
    if (route !== undefined) {
      return `${percent}% of these requests fail with 500: ${missing.map((d) => `Service ${d.host} is not defined`).join(', ')}`;
    }
    return `${percent}% of these requests fail with 503: ${missing.map((d) => (d.missing === 'subset' ? `subset ${d.subset} of ${d.host} is not defined by any DestinationRule` : `host ${d.host} is not defined by any Service or ServiceEntry`)).join(', ')}`;
  }
  return undefined;
}

function explainCommand(args: readonly string[], io: CliIo): number {
  const parsed = parse(args, ['json', 'help'], ['gateway', 'host', 'path', 'header', 'method', 'port', 'from-namespace']);
  if (parsed.flags.has('help')) {
    io.stdout(HELP.explain);
    return EXIT.OK;
  }
  const headers: Record<string, string> = {};
  for (const header of parsed.values.get('header') ?? []) {
    const eq = header.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--header takes NAME=VALUE, got "${header}"`);
    }
    headers[header.slice(0, eq).trim().toLowerCase()] = header.slice(eq + 1);
  }
  const path = one(parsed, 'path');
  if (path !== undefined) {
    try {
      decodeURIComponent(path);
    } catch {
      throw new UsageError(`--path must have each % followed by two hex digits of UTF-8 (write a literal % as %25), got "${path}"`);
    }
  }
  const portText = one(parsed, 'port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(/^[0-9]+$/.test(portText!) && port >= 1 && port <= 65535)) {
    throw new UsageError(`--port must be a whole number from 1 to 65535, got "${portText}"`);
  }
  const fromNamespace = one(parsed, 'from-namespace');
  if (fromNamespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(fromNamespace)) {
    throw new UsageError(`--from-namespace must be a namespace name (lower-case letters, digits and '-', at most 63), got "${fromNamespace}"`);
  }
  const options: ExplainOptions = {
    gateway: one(parsed, 'gateway'), host: one(parsed, 'host'), path, method: one(parsed, 'method'), headers, ...(port !== undefined ? { port } : {}),
    ...(fromNamespace !== undefined ? { fromNamespace } : {}),
  };
  const prepared = load(parsed.paths, io);
  const invalid = reportPrepared(prepared, io);
  const index = new MeshIndex(prepared.manifests);
  const explanation = explainIndexed(index, options);
  if (parsed.flags.has('json')) {
    // Rules are numbered from 1 in the explanation itself, as in the text.
    io.stdout(`${JSON.stringify(explanation, null, 2)}\n`);
  } else {
    io.stdout(formatExplanation(explanation));
  }
  const why = failure(explanation, index);
  if (why !== undefined) {
    io.stderr(`explain: ${why}\n`);
  }
  return why !== undefined || invalid ? EXIT.FOUND : EXIT.OK;
}

function diagramCommand(args: readonly string[], io: CliIo): number {
  const parsed = parse(args, ['help'], []);
  if (parsed.flags.has('help')) {
    io.stdout(HELP.diagram);
    return EXIT.OK;
  }
  const prepared = load(parsed.paths, io);
  const invalid = reportPrepared(prepared, io);
  io.stdout(mermaidDiagram(prepared.manifests));
  return invalid ? EXIT.FOUND : EXIT.OK;
}

const COMMANDS: Record<string, (args: readonly string[], io: CliIo) => number> = {
  verify: verifyCommand,
  explain: explainCommand,
  diagram: diagramCommand,
};

/** This package's version, from its package.json. */
function version(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.name === NAME) {
        return pkg.version;
      }
    }
    if (dirname(dir) === dir) {
      return 'unknown';
    }
  }
}

function unknownCommand(command: string, io: CliIo): number {
  io.stderr(`unknown command "${command}"${suggestion(command, Object.keys(COMMANDS))}\n\n${USAGE}`);
  return EXIT.UNUSABLE;
}

/** Runs the command line and returns the exit code; never throws. */
export function runCli(argv: readonly string[], io: CliIo): number {
  const [command, ...args] = argv;
  try {
    if (command === undefined) {
      io.stderr(USAGE);
      return EXIT.UNUSABLE;
    }
    if (command === '--help' || command === '-h' || (command === 'help' && args.length === 0)) {
      io.stdout(USAGE);
      return EXIT.OK;
    }
    if (command === '--version' || command === '-V') {
      io.stdout(`${NAME} ${version()}\n`);
      return EXIT.OK;
    }
    if (command === 'help') {
      if (HELP[args[0]] === undefined) {
        return unknownCommand(args[0], io);
      }
      io.stdout(HELP[args[0]]);
      return EXIT.OK;
    }
    const run = COMMANDS[command];
    if (run === undefined) {
      return unknownCommand(command, io);
    }
    try {
      return run(args, io);
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr(`${command}: ${err.message}\n\n${HELP[command]}`);
        return EXIT.UNUSABLE;
      }
      if (err instanceof InputError || err instanceof ExplainError) {
        io.stderr(`${command}: ${err.message}\n`);
        return EXIT.UNUSABLE;
      }
      throw err;
    }
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    io.stderr(`${command ?? NAME}: internal error (a bug, please report it): ${message.split('\n')[0]}\n`);
    return EXIT.INTERNAL;
  }
}

if (require.main === module) {
  // A closed pipe (`... | head`) ends the output, not with a stack trace.
  process.stdout.on('error', () => process.exit(process.exitCode ?? 0));
  process.exitCode = runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
