import type { Zone } from '../topology/model';
import type { Partition } from '../topology/regions';

/** The records of the residency inventory (inventory.ts builds them; terraform.ts adds other vendors'). */

export interface StackSource {
  readonly artifactId: string;
  /** Construct path of the stack (the manifest's displayName). */
  readonly constructPath: string;
  readonly templatePath: string;
  readonly account?: string;
  readonly region?: string;
  /** Stack-level tags from the manifest. */
  readonly tags: Readonly<Record<string, string>>;
  /** Construct path per logical id, from the stack's assembly metadata (present even without path metadata). */
  readonly constructPaths?: Readonly<Record<string, string>>;
}

export interface InventoryStack extends StackSource {
  readonly partition?: Partition;
}

/** How the zone of a resource was decided, strongest first. */
export type ZoneSource = 'resource-tag' | 'stack-tag' | 'region' | 'none';

export interface InventoryResource {
  readonly stack: InventoryStack;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly constructPath: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The zone named by the tags (may be a name the topology does not know). */
  readonly zoneName?: string;
  readonly zone?: Zone;
  readonly zoneSource: ZoneSource;
  readonly classification?: string;
}
