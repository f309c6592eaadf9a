import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CODES } from '../../lib/mesh/findings';

/** The rows of the README's findings table: code, istioctl code, severity. */
function readmeRows(): Array<{ code: string; istioCode: string; severity: string }> {
  const readme = readFileSync(join(__dirname, '..', '..', 'docs', 'verify.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| code | istioctl | severity | finding |'));
  const lines = table.split('\n').slice(2);
  return lines.slice(0, lines.findIndex((line) => !line.startsWith('|')))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, code, istioCode, severity]) => ({ code: code.replace(/`/g, ''), istioCode, severity }));
}

describe('the README\'s findings table', () => {
  test('lists every code once, with its istioctl code and default severity, and nothing else', () => {
    // GIVEN the table WHEN compared with the codes THEN both hold the same codes, codes and severities
    const rows = readmeRows();
    expect(rows.map((r) => r.code).sort()).toEqual(Object.keys(CODES).sort());
    for (const row of rows) {
      const known = CODES[row.code as keyof typeof CODES];
      expect(row.istioCode, row.code).toBe(known.istioCode ?? '');
      expect(row.severity.split(' ')[0], row.code).toBe(known.severity);
    }
  });
});
