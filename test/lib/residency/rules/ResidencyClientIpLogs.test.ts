import { Stack, Tags } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ResidencyClientIpLogs } from '../../../../lib/residency';
import { TAG_KEYS } from '../../../../lib/tagging';
import { synthInventory, violations, zoneStack } from '../support';

/** A CDN of `zone` whose access logs go to `logBucket`, as the edge stack builds it. */
function distribution(scope: Construct, id: string, zone: string, logBucket: s3.IBucket) {
  const cdn = new cloudfront.Distribution(scope, id, {
    defaultBehavior: { origin: new origins.HttpOrigin('assets.example.net') },
    enableLogging: true,
    logBucket,
  });
  Tags.of(cdn).add(TAG_KEYS.zone, zone);
  return cdn;
}

/** A stage whose access logs go to `group`. */
function stage(scope: Construct, group: logs.ILogGroup) {
  const api = new apigw.RestApi(scope, 'Api', {
    cloudWatchRole: false,
    deployOptions: { accessLogDestination: new apigw.LogGroupLogDestination(group) },
  });
  api.root.addMethod('GET', new apigw.MockIntegration());
}

describe('ResidencyClientIpLogs', () => {
  it("fails the layout before the fix: EU visitors' CDN logs in a us-east-1 bucket, API access logs unclassified and unencrypted", () => {
    const inventory = synthInventory((app) => {
      const edge = zoneStack(app, 'Edge', 'shared', 'us-east-1', 'operational');
      const bucket = new s3.Bucket(edge, 'AccessLogs', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER });
      distribution(edge, 'CdnEu', 'eu', bucket);
      const cell = zoneStack(app, 'Cell', 'eu', 'eu-central-1', 'operational');
      stage(cell, new logs.LogGroup(cell, 'AccessLogs'));
    });

    const found = violations(ResidencyClientIpLogs.evaluate(inventory));

    expect(found.map((f) => f.constructPath).sort()).toEqual([
      'Cell/Api/DeploymentStage.prod/Resource',
      'Edge/CdnEu/Resource',
    ]);
    const cdn = found.find((f) => f.constructPath.startsWith('Edge'))!;
    expect(cdn.message).toContain("is in us-east-1, outside zone eu's regions (eu-central-1, eu-west-1)");
    expect(cdn.message).toContain('classified operational, but client IPs are personal data');
    expect(cdn.message).toContain('not encrypted with a customer-managed key');
    expect(found.find((f) => f.constructPath.startsWith('Cell'))!.fix).toContain(
      'Tag it data:classification=personal.',
    );
  });

  it("passes logs kept in the zone's region, classified personal and encrypted with a key of that region", () => {
    const inventory = synthInventory((app) => {
      const cell = zoneStack(app, 'Cell', 'eu', 'eu-central-1', 'personal');
      const key = new kms.Key(cell, 'Key');
      const bucketName = 'shop-eu-cdn-logs-111111111111-eu-central-1';
      new s3.Bucket(cell, 'CdnLogs', {
        bucketName,
        encryptionKey: key,
        objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      });
      stage(cell, new logs.LogGroup(cell, 'AccessLogs', { encryptionKey: key }));
      const edge = zoneStack(app, 'Edge', 'shared', 'us-east-1', 'public');
      const byName = s3.Bucket.fromBucketAttributes(edge, 'EuLogs', { bucketName, region: 'eu-central-1' });
      distribution(edge, 'CdnEu', 'eu', byName);
    });

    const findings = ResidencyClientIpLogs.evaluate(inventory);

    expect(violations(findings)).toEqual([]);
    expect(findings).toHaveLength(2);
  });

  it('fails a distribution that names no zone, and a log bucket outside the assembly', () => {
    const inventory = synthInventory((app) => {
      // A region no zone of the model uses: nothing tells whose visitors it logs.
      const edge = new Stack(app, 'Edge', { env: { account: '111111111111', region: 'ca-central-1' } });
      new cloudfront.Distribution(edge, 'Cdn', {
        defaultBehavior: { origin: new origins.HttpOrigin('assets.example.net') },
        enableLogging: true,
        logBucket: s3.Bucket.fromBucketAttributes(edge, 'Elsewhere', {
          bucketName: 'someone-elses-logs',
          region: 'ca-central-1',
        }),
      });
    });

    const [finding] = violations(ResidencyClientIpLogs.evaluate(inventory));

    expect(finding!.message).toContain('not tagged with a zone');
    expect(finding!.message).toContain('not in the assembly');
  });
});
