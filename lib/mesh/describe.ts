/** Plain-language descriptions of Istio match conditions, for explain and diagram. */

function stringCondition(condition: any): string {
  if (condition === null || typeof condition !== 'object' || Object.keys(condition).length === 0) {
    return 'present';
  }
  if (condition.exact !== undefined) {
    return `exactly "${condition.exact}"`;
  }
  if (condition.prefix !== undefined) {
    return `starting with "${condition.prefix}"`;
  }
  if (condition.regex !== undefined) {
    return `matching /${condition.regex}/`;
  }
  return JSON.stringify(condition);
}

/** `header qa exactly "canary-test"`, `uri starting with "/shop"`; `every request` for none. */
export function describeMatch(match: any): string {
  const parts: string[] = [];
  for (const [field, condition] of Object.entries(match ?? {}) as Array<[string, any]>) {
    if (field === 'name' || field === 'ignoreUriCase') {
      continue;
    }
    if (field === 'headers' || field === 'queryParams') {
      const noun = field === 'headers' ? 'header' : 'query parameter';
      for (const [name, c] of Object.entries(condition ?? {})) {
        parts.push(`${noun} ${name} ${stringCondition(c)}`);
      }
    } else if (field === 'withoutHeaders') {
      for (const [name, c] of Object.entries(condition ?? {})) {
        parts.push(`not header ${name} ${stringCondition(c)}`);
      }
    } else if (['uri', 'method', 'authority', 'scheme'].includes(field)) {
      parts.push(`${field} ${stringCondition(condition)}`);
    } else {
      parts.push(`${field} ${JSON.stringify(condition)}`);
    }
  }
  return parts.length === 0 ? 'every request' : parts.join(' and ');
}

/** The matches of a rule, OR-ed. */
export function describeRule(rule: any): string {
  const matches: any[] = Array.isArray(rule?.match) ? rule.match : [];
  return matches.length === 0 ? 'every request' : matches.map(describeMatch).join(', or ');
}
