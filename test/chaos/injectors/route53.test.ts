import {
  GetHealthCheckStatusCommand,
  Route53Client,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { Route53HealthCheckInjector } from '../../../chaos/injectors/route53';

const route53 = mockClient(Route53Client);

describe('Route 53 health-check injector', () => {
  beforeEach(() => route53.reset());

  it('inverts the health check, reads the checkers back, and un-inverts on rollback', async () => {
    // Prepare
    route53.on(UpdateHealthCheckCommand).resolves({});
    route53.on(GetHealthCheckStatusCommand).resolves({
      HealthCheckObservations: [
        {
          Region: 'us-east-1',
          StatusReport: { Status: 'Failure: Inverted health check. HTTP Status Code 200' },
        },
        {
          Region: 'eu-west-1',
          StatusReport: { Status: 'Failure: Inverted health check. HTTP Status Code 200' },
        },
        { Region: 'us-west-1', StatusReport: { Status: 'Success: HTTP Status Code 200' } },
      ],
    });
    const injector = new Route53HealthCheckInjector(new Route53Client({ region: 'us-east-1' }), 'hc-123');
    // Act
    await injector.inject();
    const observed = await injector.observe();
    await injector.rollback();
    // Assess
    const updates = route53.commandCalls(UpdateHealthCheckCommand).map((c) => c.args[0].input);
    expect(updates).toEqual([
      { HealthCheckId: 'hc-123', Inverted: true },
      { HealthCheckId: 'hc-123', Inverted: false },
    ]);
    expect(route53.commandCalls(GetHealthCheckStatusCommand)[0]!.args[0].input).toEqual({
      HealthCheckId: 'hc-123',
    });
    expect(observed).toMatchObject({ healthy: 1, unhealthy: 2 });
  });

  it('rolls back once however often rollback is called, and not at all if nothing was injected', async () => {
    route53.on(UpdateHealthCheckCommand).resolves({});
    const idle = new Route53HealthCheckInjector(new Route53Client({ region: 'us-east-1' }), 'hc-1');
    await idle.rollback();
    expect(route53.commandCalls(UpdateHealthCheckCommand)).toHaveLength(0);

    const used = new Route53HealthCheckInjector(new Route53Client({ region: 'us-east-1' }), 'hc-2');
    await used.inject();
    await used.rollback();
    await used.rollback();
    expect(route53.commandCalls(UpdateHealthCheckCommand)).toHaveLength(2);
  });

  it('still un-inverts when the inject call failed (the update may have landed)', async () => {
    route53
      .on(UpdateHealthCheckCommand, { Inverted: true })
      .rejects(new Error('socket hang up'))
      .on(UpdateHealthCheckCommand, { Inverted: false })
      .resolves({});
    const injector = new Route53HealthCheckInjector(new Route53Client({ region: 'us-east-1' }), 'hc-3');
    await expect(injector.inject()).rejects.toThrow('socket hang up');
    await injector.rollback();
    expect(route53.commandCalls(UpdateHealthCheckCommand, { Inverted: false })).toHaveLength(1);
  });
});
