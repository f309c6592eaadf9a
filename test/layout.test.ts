import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, test } from 'vitest';

/*
 * The layers of lib/ and what each may import (docs/development.md, "Development"). A module's layer is its
 * first folder under lib/ (lib/index.ts is its own); imports/ is the generated code.
 */
const ALLOWED: Record<string, readonly string[]> = {
  'model': ['model'],
  'mesh': ['mesh', 'model'],
  'render': ['render', 'model', 'imports'],
  'constructs': ['constructs', 'model', 'render', 'mesh'],
  'rollout': ['rollout', 'constructs', 'mesh', 'model'],
  'cli': ['cli', 'mesh'],
  'index.ts': ['constructs', 'model', 'render', 'mesh', 'rollout', 'cli'],
};

/**
 * Imports that cross the layers today, each with the reason and the way out. A new crossing fails
 * the test; remove an entry when its import goes.
 */
const KNOWN: Record<string, string> = {
  // Istio's own validation rules, shared by the props' checks and the manifest checks: a leaf module
  // of lib/mesh/ that imports nothing; it belongs in lib/model/ once lib/mesh/ can be moved.
  'model/duration.ts -> mesh/istio-validation.ts': 'Istio validation rules',
  'model/match.ts -> mesh/istio-validation.ts': 'Istio validation rules',
  'model/traffic-policy.ts -> mesh/istio-validation.ts': 'Istio validation rules',
};

const lib = join(__dirname, '..', 'lib');

function modules(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(lib, join(e.parentPath, e.name)).split(sep).join('/'));
}

const layerOf = (path: string) => (path.startsWith('../') ? path.split('/')[1] : path.split('/')[0]);

/** Each relative import of the module, as a path from lib/ (`../imports/...` for generated code). */
function importsOf(module: string): string[] {
  const text = readFileSync(join(lib, module), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specs.map((spec) => {
    const target = join(dirname(join(lib, module)), spec);
    const path = relative(lib, target).split(sep).join('/');
    return path.startsWith('../') ? path : `${path}.ts`;
  });
}

function crossings(): string[] {
  const found: string[] = [];
  for (const module of modules(lib)) {
    const allowed = ALLOWED[layerOf(module)];
    for (const target of importsOf(module)) {
      if (!allowed.includes(layerOf(target))) {
        found.push(`${module} -> ${target}`);
      }
    }
  }
  return found.sort();
}

describe('the layers of lib/', () => {
  test('every module sits in a layer', () => {
    // GIVEN / WHEN
    const layers = new Set(modules(lib).map(layerOf));

    // THEN
    expect([...layers].filter((layer) => !(layer in ALLOWED))).toEqual([]);
  });

  test('a layer imports only the layers below it, apart from the known crossings', () => {
    // GIVEN / WHEN
    const found = crossings();

    // THEN
    expect(found.filter((c) => !(c in KNOWN))).toEqual([]);
  });

  test('only lib/render/ imports the folder of an API: the rest reach a renderer through the registry', () => {
    // GIVEN
    const apiFolder = /^render\/[^/]+\//;

    // WHEN
    const found = modules(lib)
      .filter((module) => layerOf(module) !== 'render')
      .flatMap((module) => importsOf(module).filter((target) => apiFolder.test(target)).map((target) => `${module} -> ${target}`));

    // THEN
    expect(found).toEqual([]);
  });

  test('the import finder sees the imports of a module', () => {
    // GIVEN / WHEN
    const imports = importsOf('constructs/canary-release.ts');

    // THEN
    expect(imports).toContain('model/weight.ts');
    expect(imports).toContain('render/renderers.ts');
    expect(imports).toContain('constructs/website.ts');
  });
});
