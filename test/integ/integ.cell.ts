import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { type App, Duration } from 'aws-cdk-lib';
import { buildIntegApp } from './integ-app';

/**
 * A deployed cell answers its health check, and a cart makes the round trip
 * through API Gateway, Lambda and DynamoDB (created, then read back by id).
 * Checkout itself needs the payment adapter you inject (README: a deployed
 * cell answers 503 payment_unavailable without one), so it is not asserted.
 *
 * `into`: the App to build in (default: integ-runner's plain one; the CI synth test passes a quick one).
 */
export function defineCellTest(into?: App) {
  const { app, built, assertionStack } = buildIntegApp(into);
  const cell = built.cells[0]!;
  const integ = new IntegTest(app, 'CellIntegTest', {
    testCases: [cell],
    assertionStack,
    diffAssets: true,
  });
  const base = `https://${cell.cell.apiDomainName}`;

  integ.assertions
    .httpApiCall(`${base}/v1/health`)
    .expect(ExpectedResult.objectLike({ status: 200, body: { status: 'pass' } }))
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });

  const token = process.env.INTEG_TOKEN;
  if (token) {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = integ.assertions.httpApiCall(`${base}/v1/carts`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': `integ-${Date.now()}` },
      body: JSON.stringify({ currency: 'EUR' }),
    });
    created.expect(ExpectedResult.objectLike({ status: 201, body: { status: 'open', currency: 'EUR' } }));
    const readBack = integ.assertions.httpApiCall(`${base}/v1/carts/${created.getAttString('body.id')}`, {
      headers,
    });
    readBack.expect(ExpectedResult.objectLike({ status: 200, body: { status: 'open' } }));
    created.next(readBack);
  }
  return { app, integ };
}

if (require.main === module) defineCellTest().app.synth();
