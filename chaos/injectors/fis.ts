import {
  type ExperimentStatus,
  type FisClient,
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import { type FaultDescription, ReversibleFault } from './types';

/**
 * Runs an AWS FIS experiment from a template of the DrillStack. FIS has its
 * own stop conditions (CloudWatch alarms); rollback stops the experiment if it
 * is still running, which makes FIS undo its actions.
 */

const FINISHED: readonly ExperimentStatus[] = ['completed', 'stopped', 'failed'];

export class FisExperimentInjector extends ReversibleFault {
  private experimentId: string | undefined;

  constructor(
    private readonly client: FisClient,
    private readonly experimentTemplateId: string,
    private readonly drillId: string,
  ) {
    super();
  }

  describe(): FaultDescription {
    return {
      mechanism: 'fis',
      fault: 'AWS FIS experiment',
      target: `experiment template ${this.experimentTemplateId}${this.experimentId ? ` (experiment ${this.experimentId})` : ''}`,
      simulated: false,
    };
  }

  protected async apply(): Promise<void> {
    const { experiment } = await this.client.send(
      new StartExperimentCommand({
        experimentTemplateId: this.experimentTemplateId,
        // The drill id makes a retried start idempotent: FIS returns the same experiment.
        clientToken: this.drillId,
        tags: { drill: this.drillId },
      }),
    );
    if (!experiment?.id)
      throw new Error(`FIS did not return an experiment id for ${this.experimentTemplateId}`);
    this.experimentId = experiment.id;
  }

  async status(): Promise<ExperimentStatus | undefined> {
    if (!this.experimentId) return undefined;
    const { experiment } = await this.client.send(new GetExperimentCommand({ id: this.experimentId }));
    return experiment?.state?.status;
  }

  protected async undo(): Promise<void> {
    if (!this.experimentId) return;
    const status = await this.status();
    if (status && FINISHED.includes(status)) return;
    await this.client.send(new StopExperimentCommand({ id: this.experimentId }));
  }
}
