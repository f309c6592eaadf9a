import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseManifests, schemaErrorsAgainst } from '../support/schema';

const root = join(__dirname, '..', '..');
// The Gateway API v1.5.1 standard channel's CRDs, next to the repo or to the folder of a git worktree
// (as in import.test.ts); only the Gateway and HTTPRoute CRDs are committed under imports/.
const shared = [join(root, '..', 'shared'), join(root, '..', '..', 'shared')].find((dir) => existsSync(dir)) ?? join(root, '..', 'shared');
const gatewayApi = join(shared, 'gateway-api', 'standard-install-v1.5.1.yaml');

describe('the GRPCRoute and TLSRoute fixtures', () => {
  test.skipIf(!existsSync(gatewayApi)).each(['grpc-tls-routes.yaml', 'grpc-tls-mistakes.yaml'])('%s is accepted by the v1.5.1 standard CRDs (CEL rules included), as its mistakes are', (file) => {
    // GIVEN the fixture WHEN validated against every served version of the standard channel THEN the API server would take it
    const errors = schemaErrorsAgainst([gatewayApi]);
    const manifests = parseManifests(readFileSync(join(root, 'test', 'fixtures', file), 'utf8'));
    expect(manifests.flatMap(errors)).toEqual([]);
  });
});
