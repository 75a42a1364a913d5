import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { DataClassification } from '../../lambdas/core/data-classification';
import { TAG_KEYS } from '../tagging';
import type { TopologyModel, Zone } from '../topology';

/**
 * Tags every resource in `scope` with the app, its zone and residency class,
 * and a default data classification that data stores override with their own.
 */
export function tagZone(
  scope: IConstruct,
  model: TopologyModel,
  zone: Pick<Zone, 'name' | 'residency'>,
  defaultClassification: DataClassification = 'operational',
): void {
  Tags.of(scope).add(TAG_KEYS.app, model.appName);
  Tags.of(scope).add(TAG_KEYS.zone, zone.name);
  Tags.of(scope).add(TAG_KEYS.residency, zone.residency);
  Tags.of(scope).add(TAG_KEYS.dataClassification, defaultClassification);
}
