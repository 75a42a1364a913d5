import {
  FisClient,
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { FisExperimentInjector } from '../../../chaos/injectors/fis';

// @aws-sdk/client-fis is pinned at 3.523 while aws-sdk-client-mock is typed against newer smithy
// types: the runtime call shapes match, so the stub is typed loosely here.
// biome-ignore lint/suspicious/noExplicitAny: version skew of the SDK's generic types, see above
const fis: AwsStub<any, any, any> = mockClient(FisClient as never) as never;

describe('FIS experiment injector', () => {
  beforeEach(() => fis.reset());

  it('starts the experiment from the template with the drill id as client token and stops it on rollback', async () => {
    // Prepare
    fis
      .on(StartExperimentCommand as never)
      .resolves({ experiment: { id: 'EXP1', state: { status: 'initiating' } } });
    fis
      .on(GetExperimentCommand as never)
      .resolves({ experiment: { id: 'EXP1', state: { status: 'running' } } });
    fis.on(StopExperimentCommand as never).resolves({});
    const injector = new FisExperimentInjector(new FisClient({ region: 'us-east-1' }), 'EXT123', 'drill-42');
    // Act
    await injector.inject();
    await injector.rollback();
    await injector.rollback();
    // Assess
    expect(fis.commandCalls(StartExperimentCommand as never)[0]!.args[0].input).toEqual({
      experimentTemplateId: 'EXT123',
      clientToken: 'drill-42',
      tags: { drill: 'drill-42' },
    });
    expect(fis.commandCalls(GetExperimentCommand as never)[0]!.args[0].input).toEqual({ id: 'EXP1' });
    expect(fis.commandCalls(StopExperimentCommand as never).map((c) => c.args[0].input)).toEqual([
      { id: 'EXP1' },
    ]);
    expect(injector.describe().target).toContain('EXP1');
  });

  it('does not stop an experiment that already finished', async () => {
    fis.on(StartExperimentCommand as never).resolves({ experiment: { id: 'EXP2' } });
    fis
      .on(GetExperimentCommand as never)
      .resolves({ experiment: { id: 'EXP2', state: { status: 'completed' } } });
    const injector = new FisExperimentInjector(new FisClient({ region: 'us-east-1' }), 'EXT1', 'drill-1');
    await injector.inject();
    await injector.rollback();
    expect(fis.commandCalls(StopExperimentCommand as never)).toHaveLength(0);
  });
});
