import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { describe, expect, test } from 'vitest';
import { cpuMillis, LinuxCapability, renderCapabilities, resolveResources } from '../../lib/constructs/workload-defaults';

describe('workload defaults', () => {
  test('cpuMillis reads millicores and whole or fractional cores', () => {
    expect(cpuMillis(Cpu.millis(250))).toBe(250);
    expect(cpuMillis(Cpu.units(2))).toBe(2000);
    expect(cpuMillis(Cpu.units(0.5))).toBe(500);
  });

  test('resolveResources keeps ephemeral storage as given and compares requests with the default limits', () => {
    // GIVEN a CPU request exactly at the default limit, and ephemeral storage
    const given = { cpu: { request: Cpu.millis(1500) }, ephemeralStorage: { request: Size.gibibytes(1) } };
    // WHEN
    const resolved = resolveResources('resources', given);
    // THEN
    expect(resolved.cpu!.limit!.amount).toBe('1500m');
    expect(resolved.memory!.limit!.toMebibytes()).toBe(2048);
    expect(resolved.ephemeralStorage).toBe(given.ephemeralStorage);
  });

  test('fails if resources is not an object', () => {
    expect(() => resolveResources('resources of version "v1"', 'small' as never))
      .toThrow('resources of version "v1" must be an object of cpu, memory and ephemeralStorage requests and limits, got "small"');
  });

  test('renderCapabilities drops every capability and adds back those listed', () => {
    expect(renderCapabilities('addCapabilities', undefined)).toEqual({ drop: ['ALL'] });
    expect(renderCapabilities('addCapabilities', [])).toEqual({ drop: ['ALL'] });
    expect(renderCapabilities('addCapabilities', [LinuxCapability.KILL])).toEqual({ drop: ['ALL'], add: ['KILL'] });
    expect(() => renderCapabilities('addCapabilities', 'KILL' as never)).toThrow('addCapabilities must be a list of LinuxCapability values, got "KILL"');
  });
});
