import { durationText } from '../../model/duration';
import type { HttpRule } from '../../model/routing';
import { istioFault, istioRetries } from './traffic-policy';

/** The Istio `HTTPRoute` list for `spec.http`. */
export function renderHttpRules(rules: readonly HttpRule[]): Array<Record<string, unknown>> {
  return rules.map((rule) => {
    const gateways = rule.gateways !== undefined ? { gateways: [...rule.gateways] } : {};
    const matches = rule.matches.length > 0
      ? rule.matches.map((m) => ({ ...m.toJson(), ...gateways }))
      : rule.gateways !== undefined ? [gateways] : [];
    return {
      ...(matches.length > 0 ? { match: matches } : {}),
      route: rule.destinations.map((d) => ({
        destination: { host: d.host, ...(d.subset !== undefined ? { subset: d.subset } : {}) },
        ...(d.weight !== undefined ? { weight: d.weight.percent } : {}),
        ...(d.setCookie !== undefined ? { headers: { response: { add: { 'set-cookie': d.setCookie } } } } : {}),
      })),
      ...(rule.mirror !== undefined ? {
        mirror: { host: rule.mirror.host, ...(rule.mirror.subset !== undefined ? { subset: rule.mirror.subset } : {}) },
        mirrorPercentage: { value: rule.mirror.percentage.value },
      } : {}),
      ...(rule.timeout !== undefined ? { timeout: durationText(rule.timeout) } : {}),
      ...(rule.retries !== undefined ? { retries: istioRetries(rule.retries) } : {}),
      ...(rule.fault !== undefined ? { fault: istioFault(rule.fault) } : {}),
    };
  });
}
