import {
  DeleteParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import * as z from 'zod';
import { arcClusterEndpointsSchema } from '../core/cell-config';
import { type ClusterClientFor, clusterClientFor, updateRoutingControlStates } from './routing-controls';

/**
 * Custom resource of the failover-control stack (CDK Provider framework
 * onEvent handler). ARC's routing control ARNs and cluster endpoints are not
 * deterministic and exist only in us-west-2's stack, so this writes them as
 * SSM parameters into every region whose stacks need them (the routing stack,
 * each fenced cell), where those stacks read them at deploy time: no
 * cross-region CloudFormation reference. On creation it also sets each new
 * routing control's initial state (the zone's primary ON, its secondary OFF);
 * it never changes a state it set before, since after that the operator (or
 * the promoter) owns the states.
 */

const parameterSchema = z.object({
  region: z.string().min(1),
  name: z.string().startsWith('/'),
  value: z.string(),
});
const initialStateSchema = z.object({
  routingControlArn: z.string().startsWith('arn:'),
  state: z.enum(['On', 'Off']),
});

export const wiringPropertiesSchema = z.object({
  ClusterEndpoints: arcClusterEndpointsSchema,
  Parameters: z.array(parameterSchema),
  InitialStates: z.array(initialStateSchema),
});
export type WiringProperties = z.infer<typeof wiringPropertiesSchema>;

const eventSchema = z.discriminatedUnion('RequestType', [
  z.object({ RequestType: z.literal('Create'), ResourceProperties: z.unknown() }),
  z.object({
    RequestType: z.literal('Update'),
    PhysicalResourceId: z.string(),
    ResourceProperties: z.unknown(),
    OldResourceProperties: z.unknown(),
  }),
  z.object({
    RequestType: z.literal('Delete'),
    PhysicalResourceId: z.string(),
    ResourceProperties: z.unknown(),
  }),
]);

export interface WiringDeps {
  readonly ssmFor: (region: string) => SSMClient;
  readonly clusterClientFor: ClusterClientFor;
}

const defaultDeps: WiringDeps = {
  ssmFor: (region) => new SSMClient({ region }),
  clusterClientFor,
};

export const WIRING_PHYSICAL_ID = 'failover-wiring';

const parameterKey = (p: { region: string; name: string }) => `${p.region} ${p.name}`;

function properties(value: unknown): WiringProperties {
  const parsed = wiringPropertiesSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `Failover wiring properties are invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); the FailoverControlStack sets them`,
    );
  }
  return parsed.data;
}

async function putParameters(parameters: WiringProperties['Parameters'], deps: WiringDeps): Promise<void> {
  for (const p of parameters) {
    await deps
      .ssmFor(p.region)
      .send(new PutParameterCommand({ Name: p.name, Value: p.value, Type: 'String', Overwrite: true }));
  }
}

async function deleteParameters(parameters: WiringProperties['Parameters'], deps: WiringDeps): Promise<void> {
  for (const p of parameters) {
    try {
      await deps.ssmFor(p.region).send(new DeleteParameterCommand({ Name: p.name }));
    } catch (error) {
      if (!(error instanceof ParameterNotFound)) throw error;
    }
  }
}

async function setInitialStates(
  props: WiringProperties,
  states: WiringProperties['InitialStates'],
  deps: WiringDeps,
): Promise<void> {
  if (states.length === 0) return;
  await updateRoutingControlStates(props.ClusterEndpoints, states, deps.clusterClientFor);
}

export async function onEvent(
  event: unknown,
  deps: WiringDeps = defaultDeps,
): Promise<{ PhysicalResourceId: string }> {
  const request = eventSchema.parse(event);
  if (request.RequestType === 'Delete') {
    await deleteParameters(properties(request.ResourceProperties).Parameters, deps);
    return { PhysicalResourceId: request.PhysicalResourceId };
  }
  const current = properties(request.ResourceProperties);
  await putParameters(current.Parameters, deps);
  if (request.RequestType === 'Create') {
    await setInitialStates(current, current.InitialStates, deps);
    return { PhysicalResourceId: WIRING_PHYSICAL_ID };
  }
  const previous = properties(request.OldResourceProperties);
  const kept = new Set(current.Parameters.map(parameterKey));
  await deleteParameters(
    previous.Parameters.filter((p) => !kept.has(parameterKey(p))),
    deps,
  );
  // Only controls that did not exist before get an initial state; existing ones keep whatever state they are in.
  const known = new Set(previous.InitialStates.map((s) => s.routingControlArn));
  await setInitialStates(
    current,
    current.InitialStates.filter((s) => !known.has(s.routingControlArn)),
    deps,
  );
  return { PhysicalResourceId: request.PhysicalResourceId };
}

export const handler = (event: unknown) => onEvent(event);
