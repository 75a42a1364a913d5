import { Hono } from 'hono';
import { CDN_VENDORS, type CdnVendor } from '../../lib/topology';
import { type ControlState, cdnLatencyBodySchema, cdnPurgeBodySchema } from '../contract';
import { body, ControlTargetError } from '../control-api';
import type { ProgressLog } from '../lifecycle';
import type { CdnEdge } from './cdn-edge';
import { CDN_LABELS } from './vendor-rules';

/**
 * The control API's CDN faults (routes in local/contract.ts), mounted under
 * /control/cdn on the control API's own app (local/boot.ts), so its guards
 * and error handling apply: bodies are validated with the contract's schemas
 * (400), an unknown vendor or one that fronts no zone is a 404. Each route
 * acts on every zone the vendor fronts (a vendor's outage is not per zone)
 * and answers the full /control/state. `/control/reset` rolls the faults
 * back through CdnEdge.reset().
 */
export function cdnControlRoutes(cdn: CdnEdge, state: () => ControlState, step: ProgressLog): Hono {
  const app = new Hono();
  const vendorOf = (name: string): CdnVendor => {
    const vendor = CDN_VENDORS.find((v) => v === name);
    if (!vendor || !cdn.vendors().includes(vendor)) {
      throw new ControlTargetError(
        `no CDN ${name} in this topology; CDNs are ${cdn.vendors().join(', ') || 'none (every zone is sovereign, or edge is off)'}`,
      );
    }
    return vendor;
  };
  const ok = () => Response.json(state());

  app.post('/:vendor/stop', async (c) => {
    const vendor = vendorOf(c.req.param('vendor'));
    await cdn.stopVendor(vendor);
    step(`control: ${CDN_LABELS[vendor]} stopped (connections refused) for every zone it fronts`);
    return ok();
  });
  app.post('/:vendor/start', async (c) => {
    const vendor = vendorOf(c.req.param('vendor'));
    await cdn.startVendor(vendor);
    step(`control: ${CDN_LABELS[vendor]} started`);
    return ok();
  });
  app.post('/:vendor/latency', async (c) => {
    const vendor = vendorOf(c.req.param('vendor'));
    const parsed = await body(c.req.raw, cdnLatencyBodySchema);
    if (parsed instanceof Response) return parsed;
    cdn.setLatency(vendor, parsed.ms);
    step(`control: ${CDN_LABELS[vendor]} added latency ${parsed.ms} ms`);
    return ok();
  });
  app.post('/:vendor/purge', async (c) => {
    const vendor = vendorOf(c.req.param('vendor'));
    const parsed = await body(c.req.raw, cdnPurgeBodySchema);
    if (parsed instanceof Response) return parsed;
    const purged = cdn.purge(vendor, parsed.paths);
    step(
      `control: ${CDN_LABELS[vendor]} cache purged (${parsed.paths?.join(', ') ?? 'everything'}): ${purged} entries`,
    );
    return ok();
  });
  return app;
}
