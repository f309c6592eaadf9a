/** Plain-language descriptions of Istio rules, for explain and diagram (a match's: `describeMatch` in lib/model/match-json.ts). */
import { describeMatch, HttpMatchJson } from '../model/match-json';
import { RuleJson } from './json';

/** The matches of a rule, OR-ed. */
export function describeRule(rule: RuleJson | undefined): string {
  // TCP and TLS matches are described as HTTP ones: their fields (port, gateways...) read alike.
  const matches: readonly HttpMatchJson[] = Array.isArray(rule?.match) ? rule.match : [];
  return matches.length === 0 ? 'every request' : matches.map((m) => describeMatch(m)).join(', or ');
}
