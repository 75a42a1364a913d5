import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { type App, Duration } from 'aws-cdk-lib';
import { buildIntegApp } from './integ-app';

/**
 * The routing stack's failover record for the zone resolves to the cell's
 * name (Route 53 TestDNSAnswer, which applies the record's health check),
 * and the entry point api.<domain> answers the health check through it.
 *
 * `into`: the App to build in (default: integ-runner's plain one; the CI synth test passes a quick one).
 */
export function defineRoutingTest(into?: App) {
  const { app, model, built, assertionStack } = buildIntegApp(into);
  const cell = built.cells[0]!;
  const zone = model.zones[0]!;
  const integ = new IntegTest(app, 'RoutingIntegTest', {
    testCases: [cell, built.routing],
    assertionStack,
    diffAssets: true,
  });
  const hostedZoneId = 'id' in model.config.hostedZone ? model.config.hostedZone.id : '';

  integ.assertions
    .awsApiCall('Route53', 'testDNSAnswer', {
      HostedZoneId: hostedZoneId,
      RecordName: zone.apiDomainName,
      RecordType: 'CNAME',
    })
    .expect(ExpectedResult.objectLike({ ResponseCode: 'NOERROR', RecordData: [cell.cell.apiDomainName] }))
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });

  integ.assertions
    .httpApiCall(`https://${model.apiDomainName}/v1/health`)
    .expect(ExpectedResult.objectLike({ status: 200, body: { status: 'pass' } }))
    .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
  return { app, integ };
}

if (require.main === module) defineRoutingTest().app.synth();
