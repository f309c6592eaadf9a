import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { IstioDestinationRule } from '../../../lib/render/istio/objects';
import { DestinationRule } from '../../../imports/networking.istio.io';

describe('Istio objects rendered from Istio-native JSON', () => {
  test('keep fields whose generated TypeScript name differs, which the generated class drops', () => {
    const chart = Testing.chart();
    const spec = { host: 'website', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3 } } } as never;
    new IstioDestinationRule(chart, 'ours', { metadata: { name: 'ours' }, spec });
    new DestinationRule(chart, 'generated', { metadata: { name: 'generated' }, spec });
    const [ours, generated] = Testing.synth(chart);
    expect(ours.spec.trafficPolicy).toEqual({ outlierDetection: { consecutive5xxErrors: 3 } });
    expect(generated.spec.trafficPolicy).toEqual({ outlierDetection: {} });
    expect(ours.apiVersion).toBe('networking.istio.io/v1');
  });
});
