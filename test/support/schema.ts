/**
 * Validates manifests the way an API server would accept or reject them, offline.
 *
 * - Core kinds: `kubernetes-models`' JSON schemas.
 * - Istio and Gateway API kinds: the openAPIV3Schema of the committed CRDs
 *   (`imports/istio-networking-v1.crds.yaml` from Istio's own bundle,
 *   `imports/gateway-api-v1.crds.yaml` from the Gateway API v1.5.1 standard channel) with ajv, plus
 *   their CEL rules (`x-kubernetes-validations`) with a CEL evaluator. Unknown fields are errors, as under `kubectl apply`'s default strict field
 *   validation (the CRD schemas alone would let the API server prune them silently).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { celFunc, CelScalar, run } from '@bufbuild/cel';
import Ajv, { ValidateFunction } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';

type Json = any;
type Check = (obj: Json) => string[];

const CRD_FILES = ['istio-networking-v1.crds.yaml', 'gateway-api-v1.crds.yaml'].map((file) => join(__dirname, '..', '..', 'imports', file));
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function coreCheck(Model: new (data: Json) => { validate(): void }): Check {
  return (obj) => {
    try {
      new Model(obj).validate();
      return [];
    } catch (err) {
      return [(err as Error).message];
    }
  };
}

/** A copy of a structural schema in which objects with listed properties reject other fields. */
function strict(schema: Json): Json {
  if (Array.isArray(schema)) {
    return schema.map(strict);
  }
  if (schema === null || typeof schema !== 'object') {
    return schema;
  }
  const copy: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] = key === 'properties'
      ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, strict(v)]))
      : strict(value);
  }
  if (copy.properties && copy.additionalProperties === undefined && !copy['x-kubernetes-preserve-unknown-fields']) {
    copy.additionalProperties = false;
  }
  return copy;
}

/**
 * A copy of `value` with the schema's `default`s filled in, as the API server defaults an object
 * before it validates it (the Gateway API's CEL rules rely on defaulted `group` and `kind`).
 */
function withDefaults(schema: Json, value: Json): Json {
  if (schema === undefined || value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => withDefaults(schema.items, item));
  }
  const copy: Json = { ...value };
  for (const [key, sub] of Object.entries<Json>(schema.properties ?? {})) {
    if (copy[key] === undefined && sub.default !== undefined) {
      copy[key] = structuredClone(sub.default);
    }
    if (copy[key] !== undefined) {
      copy[key] = withDefaults(sub, copy[key]);
    }
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    for (const key of Object.keys(copy)) {
      copy[key] = withDefaults(schema.additionalProperties, copy[key]);
    }
  }
  return copy;
}

// Kubernetes escapes property names that are CEL keywords: `namespace` is `__namespace__` in a rule.
// https://kubernetes.io/docs/reference/using-api/cel/#escaping
const CEL_RESERVED = new Set(['as', 'break', 'const', 'continue', 'else', 'false', 'for', 'function', 'if', 'import', 'in', 'let',
  'loop', 'package', 'namespace', 'null', 'return', 'true', 'var', 'void', 'while']);

/** CEL sees integers as `int`, objects as maps, keyword-named properties escaped. */
function toCel(value: Json): Json {
  if (Array.isArray(value)) {
    return value.map(toCel);
  }
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([k, v]) => [CEL_RESERVED.has(k) ? `__${k}__` : k, toCel(v)]));
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    return BigInt(value);
  }
  return value;
}

// The functions of Kubernetes' CEL library that the CRDs use (TLSRoute's hostnames: isIP).
// https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-ip-address-library
const KUBERNETES_CEL = [celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (text) => isIP(text) !== 0)];

function celErrors(schema: Json, value: Json, path: string): string[] {
  if (schema === undefined || value === undefined || value === null) {
    return [];
  }
  const errors: string[] = [];
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    let ok: unknown;
    try {
      ok = run(rule.rule, { self: toCel(value) }, { funcs: KUBERNETES_CEL });
    } catch (err) {
      ok = `error: ${(err as Error).message}`;
    }
    if (ok !== true) {
      errors.push(`${path}: ${rule.message ?? `failed rule ${rule.rule}`} (${rule.rule})`);
    }
  }
  if (schema.properties && typeof value === 'object') {
    for (const [key, sub] of Object.entries(schema.properties)) {
      errors.push(...celErrors(sub, value[key], `${path}.${key}`));
    }
  }
  if (schema.items && Array.isArray(value)) {
    value.forEach((item, i) => errors.push(...celErrors(schema.items, item, `${path}[${i}]`)));
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      errors.push(...celErrors(schema.additionalProperties, item, `${path}.${key}`));
    }
  }
  return errors;
}

function crdChecks(files: readonly string[] = CRD_FILES): Record<string, Check> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const checks: Record<string, Check> = {};
  for (const doc of files.flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') {
      continue;
    }
    for (const version of crd.spec.versions.filter((v: Json) => v.served !== false)) {
      const root = version.schema.openAPIV3Schema;
      const specSchema = root.properties.spec;
      const validate: ValidateFunction = ajv.compile(strict(specSchema));
      checks[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = (obj) => {
        const errors: string[] = [];
        const extra = Object.keys(obj).filter((k) => !['apiVersion', 'kind', 'metadata', 'spec'].includes(k));
        if (extra.length > 0) {
          errors.push(`unknown top-level fields ${extra.join(', ')}`);
        }
        const spec = withDefaults(specSchema, obj.spec ?? {});
        if (!validate(spec)) {
          errors.push(...(validate.errors ?? []).map((e) => `spec${e.instancePath.replace(/\//g, '.')} ${e.message} ${JSON.stringify(e.params)}`));
        }
        errors.push(...celErrors(specSchema, spec, 'spec'));
        return errors;
      };
    }
  }
  return checks;
}

let checks: Record<string, Check> | undefined;
function allChecks(): Record<string, Check> {
  checks ??= {
    'v1/Service': coreCheck(Service as never),
    'v1/Namespace': coreCheck(Namespace as never),
    'apps/v1/Deployment': coreCheck(Deployment as never),
    ...crdChecks(),
  };
  return checks;
}

/** Why the API server would reject `obj`; empty when it would accept it. */
export function schemaErrors(obj: Json): string[] {
  return errorsWith(allChecks(), obj);
}

/**
 * `schemaErrors` against the served versions of the CRDs in other files (the whole Gateway API
 * bundle, say), for the integration tests that have them.
 */
export function schemaErrorsAgainst(crdFiles: readonly string[]): (obj: Json) => string[] {
  const fromFiles = { ...allChecks(), ...crdChecks(crdFiles) };
  return (obj) => errorsWith(fromFiles, obj);
}

function errorsWith(all: Record<string, Check>, obj: Json): string[] {
  const key = `${obj?.apiVersion}/${obj?.kind}`;
  const check = all[key];
  const label = `${obj?.kind} ${obj?.metadata?.name}`;
  if (check === undefined) {
    return [`${label}: no schema for ${key}`];
  }
  const errors = check(obj);
  const name = obj?.metadata?.name;
  if (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    errors.push(`metadata.name must be a DNS-1123 subdomain, got ${JSON.stringify(name)}`);
  }
  return errors.map((e) => `${label}: ${e}`);
}

/** Reads every document of a multi-document YAML text. */
export function parseManifests(text: string): Json[] {
  return parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d !== null);
}
