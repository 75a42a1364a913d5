import type { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  RELAY_FOREIGN_EVENTS as RELAY_FOREIGN_EVENTS_TIMING,
  SCHEDULED_TASKS,
} from '../../lambdas/api/scheduled-tasks';
import { acknowledge } from './nag-acknowledgements';

/**
 * `relay-foreign-events`: the API function relays the events other regions committed and never relayed
 * (a failed primary's last events, found in the replica). Task name, interval and window are the
 * runtime's (lambdas/api/scheduled-tasks.ts); this is the event the schedule sends.
 */
export const RELAY_FOREIGN_EVENTS = {
  task: SCHEDULED_TASKS.relayForeignEvents,
  ...RELAY_FOREIGN_EVENTS_TIMING,
} as const;

export interface ScheduledTaskProps {
  readonly target: lambda.IFunction;
  /** The event the function receives, e.g. `{ commerceTask: 'sweep-abandoned-checkouts' }`. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly every: Duration;
  readonly description: string;
}

/**
 * An EventBridge schedule invoking a cell function with a fixed event. No
 * retries and no dead-letter queue: a tick carries no data, the next one does
 * the same work minutes later.
 */
export class ScheduledTask extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    if (props.every.toMinutes() < 1) {
      throw new Error(
        `ScheduledTask ${this.node.path}: every must be at least 1 minute (EventBridge's finest rate)`,
      );
    }
    this.rule = new events.Rule(this, 'Rule', {
      description: props.description,
      schedule: events.Schedule.rate(props.every),
      targets: [
        new eventTargets.LambdaFunction(props.target, {
          event: events.RuleTargetInput.fromObject(props.input),
          retryAttempts: 0,
        }),
      ],
    });
    acknowledge(this.rule, {
      id: 'Serverless-EventBusDLQ',
      reason:
        'A failed tick carries no data: the next tick minutes later does the same work, so a dead-letter queue would only collect stale ticks',
    });
  }
}
