import { DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { type HealthCheck, paginateListHealthChecks } from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DRILL_STACK_OUTPUTS } from '../../lib/stacks/drill-stack';
import { regionFacts, type TopologyModel, type Zone } from '../../lib/topology';
import {
  type RegionLoadGenerator,
  regionLoadGeneratorFromOutputs,
} from '../../loadtests/engine/aws-ecs-engine';
import { loadGeneratorStackName } from '../../loadtests/engine/contract';
import type { AwsFaultMechanism } from './args';
import type { AwsClients } from './clients';
import { cellKey, type ResolvedFaultTargets } from './context';
import { type CellAlarmNames, cellAlarms, type RequiredStack, requiredStacks } from './resources';

/**
 * Preflight of an AWS drill, read-only: the credentials are for the zone's
 * account (STS), every stack the drill relies on is deployed and complete
 * (CloudFormation), the zone's health checks exist and none is still inverted
 * (Route 53), and every alarm of the zone's cells exists and is OK
 * (CloudWatch). One line per check, all checks run (one failure does not hide
 * the next), and it resolves what the drill needs: health-check ids, the FIS
 * template id, each load region's cluster and bucket, the alarms.
 */

export interface PreflightLine {
  readonly ok: boolean;
  readonly check: string;
  readonly detail: string;
}

export interface CellAlarms {
  readonly names: CellAlarmNames;
  /** The alarms found, as DescribeAlarms returned them. */
  readonly alarms: readonly MetricAlarm[];
}

export interface PreflightResult {
  readonly passed: boolean;
  readonly lines: readonly PreflightLine[];
  readonly targets: ResolvedFaultTargets;
  readonly generators: ReadonlyMap<string, RegionLoadGenerator>;
  readonly cellAlarms: readonly CellAlarms[];
}

export interface PreflightInput {
  readonly model: TopologyModel;
  readonly zone: Zone;
  readonly loadRegions: readonly string[];
  readonly mechanism: AwsFaultMechanism;
}

/** Stable states in which the stack is what its last deployment said. */
const COMPLETE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

export function formatPreflightLine(line: PreflightLine): string {
  return `  ${line.ok ? 'ok  ' : 'FAIL'} ${line.check}: ${line.detail}`;
}

async function checkCredentials(input: PreflightInput, clients: AwsClients): Promise<PreflightLine[]> {
  const { model, zone, loadRegions } = input;
  try {
    const identity = await clients.sts(zone.primary.region).send(new GetCallerIdentityCommand({}));
    const lines: PreflightLine[] = [];
    const accountOf = (region: string) => {
      const partition = regionFacts(region)?.partition;
      return partition ? model.config.accounts[partition] : undefined;
    };
    for (const [what, account] of [
      [`zone ${zone.name}`, zone.account],
      ...loadRegions.map((region) => [`load region ${region}`, accountOf(region)] as const),
    ] as const) {
      lines.push(
        account === identity.Account
          ? { ok: true, check: 'credentials', detail: `${identity.Arn} (account ${account}) for ${what}` }
          : {
              ok: false,
              check: 'credentials',
              detail: `${identity.Arn} is account ${identity.Account}, but the topology puts ${what} in account ${account ?? '(none)'}: use credentials for that account (AWS_PROFILE)`,
            },
      );
    }
    return lines;
  } catch (error) {
    return [
      {
        ok: false,
        check: 'credentials',
        detail: `STS GetCallerIdentity failed: ${(error as Error).message}; sign in (aws sso login, AWS_PROFILE) and run again`,
      },
    ];
  }
}

async function describeStack(
  stack: RequiredStack,
  clients: AwsClients,
): Promise<{ line: PreflightLine; outputs?: Output[] }> {
  const check = `stack ${stack.name} (${stack.region})`;
  try {
    const { Stacks } = await clients
      .cloudFormation(stack.region)
      .send(new DescribeStacksCommand({ StackName: stack.name }));
    const status = Stacks?.[0]?.StackStatus ?? 'UNKNOWN';
    if (!COMPLETE.has(status)) {
      return {
        line: {
          ok: false,
          check,
          detail: `${status}; the ${stack.role} must be deployed and complete: ${stack.deploy}`,
        },
      };
    }
    return {
      line: { ok: true, check, detail: `${status} (${stack.role})` },
      outputs: Stacks?.[0]?.Outputs ?? [],
    };
  } catch (error) {
    const missing = (error as Error).name === 'ValidationError';
    return {
      line: {
        ok: false,
        check,
        detail: missing
          ? `not deployed (${stack.role}): ${stack.deploy}`
          : `DescribeStacks failed: ${(error as Error).message}`,
      },
    };
  }
}

async function checkHealthChecks(
  input: PreflightInput,
  clients: AwsClients,
): Promise<{ lines: PreflightLine[]; ids: Map<string, string> }> {
  const { model, zone } = input;
  const ids = new Map<string, string>();
  let all: HealthCheck[] = [];
  try {
    for await (const page of paginateListHealthChecks({ client: clients.route53(model.controlRegion) }, {}))
      all = all.concat(page.HealthChecks ?? []);
  } catch (error) {
    return {
      lines: [
        { ok: false, check: 'health checks', detail: `ListHealthChecks failed: ${(error as Error).message}` },
      ],
      ids,
    };
  }
  const lines = zone.cells.map((cell): PreflightLine => {
    const check = `health check of ${cellKey(cell)}`;
    const matches = all.filter(
      (h) =>
        h.HealthCheckConfig?.FullyQualifiedDomainName?.toLowerCase() === cell.apiDomainName.toLowerCase() &&
        h.HealthCheckConfig?.ResourcePath === model.config.healthCheck.path,
    );
    if (matches.length !== 1) {
      return {
        ok: false,
        check,
        detail: `${matches.length} Route 53 health checks on https://${cell.apiDomainName}${model.config.healthCheck.path}; expected 1 (the routing stack creates it)`,
      };
    }
    const [only] = matches as [HealthCheck];
    if (only.HealthCheckConfig?.Inverted) {
      return {
        ok: false,
        check,
        detail: `${only.Id} is inverted already (an earlier drill not rolled back?): aws route53 update-health-check --health-check-id ${only.Id} --no-inverted`,
      };
    }
    ids.set(cellKey(cell), only.Id!);
    return {
      ok: true,
      check,
      detail: `${only.Id} on https://${cell.apiDomainName}${model.config.healthCheck.path}`,
    };
  });
  return { lines, ids };
}

async function checkAlarms(
  zone: Zone,
  clients: AwsClients,
): Promise<{ lines: PreflightLine[]; cellAlarms: CellAlarms[] }> {
  const lines: PreflightLine[] = [];
  const found: CellAlarms[] = [];
  for (const cell of zone.cells) {
    const names = cellAlarms(zone, cell);
    const check = `alarms of ${cellKey(cell)}`;
    try {
      const cloudWatch = clients.cloudWatch(cell.region);
      const exact = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names.exact] }));
      const alarms = [...(exact.MetricAlarms ?? [])];
      const missing = names.exact.filter((name) => !alarms.some((a) => a.AlarmName === name));
      for (const prefix of names.prefixes) {
        const indexed = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix }));
        if ((indexed.MetricAlarms ?? []).length === 0) missing.push(`${prefix}<n>`);
        alarms.push(...(indexed.MetricAlarms ?? []));
      }
      found.push({ names, alarms });
      const notOk = alarms.filter((a) => a.StateValue !== 'OK');
      if (missing.length > 0) {
        lines.push({
          ok: false,
          check,
          detail: `missing ${missing.join(', ')}: deploy ${cell.stackName} (its CellMonitoring names them)`,
        });
      } else if (notOk.length > 0) {
        lines.push({
          ok: false,
          check,
          detail: `${notOk.map((a) => `${a.AlarmName} is ${a.StateValue}`).join('; ')}: drill a healthy zone only (INSUFFICIENT_DATA: wait until the alarm has evaluated)`,
        });
      } else {
        lines.push({ ok: true, check, detail: `${alarms.length} alarms OK` });
      }
    } catch (error) {
      lines.push({ ok: false, check, detail: `DescribeAlarms failed: ${(error as Error).message}` });
    }
  }
  return { lines, cellAlarms: found };
}

export async function preflight(input: PreflightInput, clients: AwsClients): Promise<PreflightResult> {
  const { model, zone, loadRegions, mechanism } = input;
  const empty = { targets: { healthCheckIds: new Map() }, generators: new Map(), cellAlarms: [] };
  const lines: PreflightLine[] = await checkCredentials(input, clients);
  // Without credentials every other call fails the same way: say it once.
  if (lines.some((l) => !l.ok)) return { passed: false, lines, ...empty };

  const generators = new Map<string, RegionLoadGenerator>();
  let lambdaErrorsTemplateId: string | undefined;
  for (const stack of requiredStacks(model, zone, loadRegions, mechanism)) {
    const { line, outputs } = await describeStack(stack, clients);
    lines.push(line);
    if (!outputs) continue;
    const loadRegion = loadRegions.find((r) => loadGeneratorStackName(model.appName, r) === stack.name);
    if (loadRegion) {
      try {
        generators.set(loadRegion, regionLoadGeneratorFromOutputs(model.appName, loadRegion, outputs));
      } catch (error) {
        lines.push({ ok: false, check: `outputs of ${stack.name}`, detail: (error as Error).message });
      }
    }
    const template = outputs.find(
      (o) => o.OutputKey === DRILL_STACK_OUTPUTS.lambdaErrorsTemplate,
    )?.OutputValue;
    if (template) lambdaErrorsTemplateId = template;
  }
  if (mechanism === 'fis' && !lambdaErrorsTemplateId && lines.every((l) => l.ok)) {
    lines.push({
      ok: false,
      check: 'FIS template',
      detail: `the zone's DrillStack has no ${DRILL_STACK_OUTPUTS.lambdaErrorsTemplate} output: deploy it again`,
    });
  }

  const healthChecks = await checkHealthChecks(input, clients);
  lines.push(...healthChecks.lines);
  const alarms = await checkAlarms(zone, clients);
  lines.push(...alarms.lines);
  return {
    passed: lines.every((l) => l.ok),
    lines,
    targets: {
      healthCheckIds: healthChecks.ids,
      ...(lambdaErrorsTemplateId ? { lambdaErrorsTemplateId } : {}),
    },
    generators,
    cellAlarms: alarms.cellAlarms,
  };
}
