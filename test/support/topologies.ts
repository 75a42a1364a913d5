import type { TopologyInput } from '../../lib/topology/schema';

/** A valid topology object; tests clone it and break one thing at a time. */
export function validTopology(): TopologyInput {
  return {
    appName: 'commerce',
    domain: 'shop.example.com',
    hostedZone: { create: true },
    accounts: { aws: '111111111111', 'aws-eusc': '222222222222' },
    zones: [
      {
        name: 'global',
        residency: 'none',
        primaryRegion: 'us-east-1',
        secondaryRegion: 'us-west-2',
        geographies: ['default'],
      },
      {
        name: 'eu',
        residency: 'eu',
        sovereign: true,
        primaryRegion: 'eusc-de-east-1',
        geographies: ['continent:EU'],
      },
    ],
    healthCheck: { path: '/v1/health', intervalSeconds: 10, failureThreshold: 3 },
    dns: { ttlSeconds: 60 },
    edge: { enabled: true },
  };
}
