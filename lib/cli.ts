#!/usr/bin/env node
/**
 * The command line: `cdk8s-istio-canary verify|explain|diagram <file|dir>...`.
 */
import { mermaidDiagram } from './mesh/diagram';
import { explain, ExplainError, ExplainOptions, formatExplanation } from './mesh/explain';
import { formatFinding, Severity } from './mesh/findings';
import { InputError, readManifests } from './mesh/read';
import { verifyManifests } from './mesh/verify';

/** Where the command line writes. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const USAGE = `usage: cdk8s-istio-canary <command> [options] <file|dir>...

commands:
  verify    check that every request a VirtualService routes reaches a gateway, host and
            subset that exist and select pods; exit 0 with no error, 1 with errors
  explain   say which rule a request matches and where it goes
  diagram   print a Mermaid flowchart of gateways, rules, subsets and Deployments

Files are YAML or JSON manifests (multi-document); folders are read recursively.
Run "cdk8s-istio-canary <command> --help" for a command's options. Exit code 2: bad usage or input.
`;

const HELP: Record<string, string> = {
  verify: `usage: cdk8s-istio-canary verify [--json] <file|dir>...

Checks the manifests as a whole, offline, and prints one line per finding:
  SEVERITY CODE Kind namespace/name: message
where CODE is istioctl's message code where it has the same check, else ours.

options:
  --json    print the findings as a JSON array of
            {severity, code, istioCode, kind, namespace, name, message}
  --help    this text

exit code: 0 no error (warnings allowed), 1 at least one error, 2 unreadable input or bad usage
`,
  explain: `usage: cdk8s-istio-canary explain [options] <file|dir>...

Says which VirtualService rule a request matches and where it goes: each destination with its
share, its subset, and the workloads and pods behind it.

options:
  --gateway NAME     the gateway the request comes through (name, namespace/name, or mesh);
                     default: the only Gateway in the manifests
  --host HOST        the host asked for; default: any (needed when several VirtualServices
                     are bound to the gateway)
  --path PATH        the path, with an optional ?query; default /
  --header K=V       a request header; repeat for more
  --method METHOD    default GET
  --json             print the explanation as JSON
  --help             this text
`,
  diagram: `usage: cdk8s-istio-canary diagram <file|dir>...

Prints a Mermaid flowchart (gateways -> VirtualService rules -> subsets with weights ->
Deployments with replicas). Put it in a \`\`\`mermaid block to have GitHub render it.

options:
  --help    this text
`,
};

class UsageError extends Error {}

interface Parsed {
  readonly paths: string[];
  readonly flags: Set<string>;
  readonly values: Map<string, string[]>;
}

function parse(args: readonly string[], flags: readonly string[], valued: readonly string[]): Parsed {
  const parsed: Parsed = { paths: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      parsed.paths.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (flags.includes(name)) {
      parsed.flags.add(name);
    } else if (valued.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) {
        throw new UsageError(`--${name} needs a value`);
      }
      parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  if (parsed.paths.length === 0 && !parsed.flags.has('help')) {
    throw new UsageError('give at least one file or folder');
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

function verifyCommand(args: readonly string[], io: CliIo): number {
  const parsed = parse(args, ['json', 'help'], []);
  if (parsed.flags.has('help')) {
    io.stdout(HELP.verify);
    return 0;
  }
  const manifests = readManifests(parsed.paths);
  const findings = verifyManifests(manifests);
  if (parsed.flags.has('json')) {
    io.stdout(`${JSON.stringify(findings.map((f) => ({
      severity: f.severity, code: f.code, istioCode: f.istioCode ?? null, kind: f.kind, namespace: f.namespace, name: f.name, message: f.message,
    })), null, 2)}\n`);
  } else {
    io.stdout(findings.map((f) => `${formatFinding(f)}\n`).join(''));
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  io.stderr(`verified ${plural(manifests.length, 'object')}: ${plural(count(Severity.ERROR), 'error')}, ${plural(count(Severity.WARNING), 'warning')}, ${plural(count(Severity.INFO), 'info')}\n`);
  return count(Severity.ERROR) > 0 ? 1 : 0;
}

function explainCommand(args: readonly string[], io: CliIo): number {
  const parsed = parse(args, ['json', 'help'], ['gateway', 'host', 'path', 'header', 'method']);
  if (parsed.flags.has('help')) {
    io.stdout(HELP.explain);
    return 0;
  }
  const headers: Record<string, string> = {};
  for (const header of parsed.values.get('header') ?? []) {
    const eq = header.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--header takes NAME=VALUE, got "${header}"`);
    }
    headers[header.slice(0, eq).trim().toLowerCase()] = header.slice(eq + 1);
  }
  const options: ExplainOptions = {
    gateway: one(parsed, 'gateway'), host: one(parsed, 'host'), path: one(parsed, 'path'), method: one(parsed, 'method'), headers,
  };
  const explanation = explain(readManifests(parsed.paths), options);
  io.stdout(parsed.flags.has('json') ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation));
  return 0;
}

function diagramCommand(args: readonly string[], io: CliIo): number {
  const parsed = parse(args, ['help'], []);
  if (parsed.flags.has('help')) {
    io.stdout(HELP.diagram);
    return 0;
  }
  io.stdout(mermaidDiagram(readManifests(parsed.paths)));
  return 0;
}

const COMMANDS: Record<string, (args: readonly string[], io: CliIo) => number> = {
  verify: verifyCommand,
  explain: explainCommand,
  diagram: diagramCommand,
};

/** Runs the command line and returns the exit code. */
export function runCli(argv: readonly string[], io: CliIo): number {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout)(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    io.stderr(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${command}: ${err.message}\n\n${HELP[command]}`);
      return 2;
    }
    if (err instanceof InputError || err instanceof ExplainError) {
      io.stderr(`${command}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
