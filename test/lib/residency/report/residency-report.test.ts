import type { App } from 'aws-cdk-lib';
import { buildResidencyReport } from '../../../../lib/residency/report';
import { synthInventory } from '../support';
import { ALL_MISTAKES, defineCommerceApp } from './violating-app';

describe('residency report', () => {
  it('passes a compliant commerce app and still lists every store, flow and key', () => {
    // Prepare
    const inventory = synthInventory((app: App) => defineCommerceApp(app, {}));

    // Act
    const report = buildResidencyReport(inventory, new Date('2026-01-01T00:00:00Z'));

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.compliant).toBe(true);
    const table = report.entries.find((e) => e.constructPath === 'EuCell/Commerce/Resource')!;
    expect(table).toMatchObject({
      zone: 'eu',
      region: 'eu-central-1',
      partition: 'aws',
      classification: 'personal',
    });
    expect(table.replication).toEqual([
      expect.objectContaining({ kind: 'dynamodb-replica', region: 'eu-west-1', withinZone: true }),
    ]);
    expect(table.encryption.map((e) => [e.dataRegion, e.customerManaged, e.sameRegion])).toEqual([
      ['eu-west-1', true, true],
      ['eu-central-1', true, true],
    ]);
    const api = report.entries.find((e) => e.constructPath === 'EuCell/Api/Resource')!;
    expect(api.reaches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          target: 'EuCell/Commerce/Resource',
          region: 'eu-central-1',
          actions: expect.arrayContaining(['dynamodb:PutItem']),
        }),
        expect.objectContaining({ target: 'EuCell/Key/Resource', type: 'AWS::KMS::Key' }),
      ]),
    );
    const logGroup = report.entries.find((e) => e.constructPath === 'EuCell/ApiLogs/Resource')!;
    expect(logGroup.retention).toBe('30 days');
    const cdn = report.entries.find((e) => e.type === 'AWS::CloudFront::Distribution')!;
    expect(cdn.cdnFronts).toContainEqual(
      expect.objectContaining({ pathPattern: '/v1/products*', originZone: 'eu', routesPersonalData: false }),
    );
    expect(report.flows.every((f) => !f.crossesBoundary)).toBe(true);
  });

  it('catches each residency mistake with the rule and the resource named', () => {
    const report = buildResidencyReport(synthInventory((app: App) => defineCommerceApp(app, ALL_MISTAKES)));

    const named = report.violations.map((v) => `${v.ruleId} ${v.constructPath}`);

    expect(named).toEqual(
      expect.arrayContaining([
        'ResidencyReplicaInZone EuCell/Commerce/Resource',
        'ResidencyReplicaInZone EuCell/Exports/Resource',
        'ResidencyReplicaInZone EuCell/ToSiem',
        'ResidencyCdnBoundary Edge/Cdn/Resource',
        'ResidencyCustomerManagedKey EuCell/Webhooks/Resource',
      ]),
    );
    expect(named).toHaveLength(5);
    expect(report.compliant).toBe(false);
    expect(
      report.flows
        .filter((f) => f.crossesBoundary)
        .map((f) => f.kind)
        .sort(),
    ).toEqual(['cdn', 'replication', 'replication', 'replication']);
  });

  it('writes a region-deny SCP per zone with global-service exemptions', () => {
    const report = buildResidencyReport(synthInventory((app: App) => defineCommerceApp(app, {})));

    const eu = report.serviceControlPolicies.byZone.eu!.Statement[0]!;

    expect(eu.Effect).toBe('Deny');
    expect(eu.Condition.StringNotEquals['aws:RequestedRegion']).toEqual(['eu-central-1', 'eu-west-1']);
    expect(eu.NotAction).toEqual(
      expect.arrayContaining(['iam:*', 'organizations:*', 'route53:*', 'cloudfront:*', 'sts:*', 'support:*']),
    );
    expect(eu.NotAction).not.toContain('kms:*');
    expect(report.serviceControlPolicies.byAccount).toContainEqual(
      expect.objectContaining({ account: '111111111111', zones: ['global', 'eu'] }),
    );
  });
});
