import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { addResidencyGuardrails, RESIDENCY_RULES } from '../../../lib/residency';
import { TEST_MODEL, zoneStack } from './support';
import { testAppProps } from '../app/synth-fixture';

const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };
const WEST_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';

function withApp(define: (app: App) => void): () => void {
  return () => {
    const outdir = mkdtempSync(join(tmpdir(), 'residency-guard-'));
    try {
      const app = new App({ outdir, ...testAppProps() });
      addResidencyGuardrails(app, TEST_MODEL);
      define(app);
      app.synth();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  };
}

function euTable(app: App, replicaRegion: string, replicaKey: string): void {
  const stack = zoneStack(app, 'EuCell', 'eu', 'eu-central-1');
  new dynamodb.TableV2(stack, 'Commerce', {
    partitionKey,
    encryption: dynamodb.TableEncryptionV2.customerManagedKey(new kms.Key(stack, 'Key'), {
      [replicaRegion]: replicaKey,
    }),
    replicas: [{ region: replicaRegion }],
  });
}

describe('addResidencyGuardrails', () => {
  it('lets a compliant app synthesize', () => {
    expect(withApp((app) => euTable(app, 'eu-west-1', WEST_KEY))).not.toThrow();
  });

  it('fails synth on an eu replica in us-east-1 with the rule id, construct path and fix', () => {
    const synth = withApp((app) =>
      euTable(
        app,
        'us-east-1',
        'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555',
      ),
    );

    expect(synth).toThrow(/\[ResidencyReplicaInZone\] EuCell\/Commerce\/Resource/);
    expect(synth).toThrow(/Suggested fix: Replicate only to eu-central-1 or eu-west-1/);
  });

  it('runs every rule and pins their ids', () => {
    expect(RESIDENCY_RULES.map((r) => r.id)).toEqual([
      'ResidencyStoreInZoneRegion',
      'ResidencyReplicaInZone',
      'ResidencyZoneSinglePartition',
      'ResidencyCustomerManagedKey',
      'ResidencyCdnBoundary',
      'ResidencyCloudflareBoundary',
      'ResidencyCloudflareLogs',
      'ResidencyFunctionReachInZone',
      'ResidencyClientIpLogs',
      'ResidencyTagged',
    ]);
  });
});
