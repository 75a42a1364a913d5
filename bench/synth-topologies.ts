import type { TopologyInput } from '../lib/topology';

/**
 * Generated topologies for the synth bench: N zones, each primary + secondary
 * in `aws` regions, unique geographies, zone 0 serving `default`.
 */
const REGION_PAIRS: readonly (readonly [string, string])[] = [
  ['us-east-1', 'us-west-2'],
  ['eu-central-1', 'eu-west-1'],
  ['ap-northeast-1', 'ap-southeast-1'],
  ['sa-east-1', 'us-east-2'],
  ['ca-central-1', 'us-west-1'],
  ['ap-south-1', 'ap-southeast-2'],
];
const GEOGRAPHIES: readonly string[] = [
  'default',
  'continent:EU',
  'continent:AS',
  'continent:SA',
  'country:CA',
  'country:IN',
];

export const MAX_GENERATED_ZONES = REGION_PAIRS.length;

export function generatedTopology(zoneCount: number): TopologyInput {
  if (!Number.isInteger(zoneCount) || zoneCount < 1 || zoneCount > MAX_GENERATED_ZONES) {
    throw new Error(`zoneCount must be an integer from 1 to ${MAX_GENERATED_ZONES}, got ${zoneCount}`);
  }
  return {
    appName: 'bench',
    domain: 'bench.example.com',
    hostedZone: { create: true },
    accounts: { aws: '111111111111' },
    zones: REGION_PAIRS.slice(0, zoneCount).map(([primaryRegion, secondaryRegion], index) => ({
      name: `zone${index}`,
      residency: 'none' as const,
      primaryRegion,
      secondaryRegion,
      geographies: [GEOGRAPHIES[index]!],
    })),
    edge: { enabled: true },
  };
}
