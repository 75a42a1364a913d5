import { Resolver } from 'node:dns/promises';
import { request } from 'node:https';
import type { TopologyModel, Zone } from '../../lib/topology';
import { isSuccessStatus, parseServedBy, SERVED_BY_HEADER, servedByLabel } from '../../loadtests/flow';
import type { Observer } from '../orchestrator';
import { cellKey } from './context';

/**
 * What the operator's machine sees while an AWS drill runs, second by second:
 * a probe of the zone's failover name (the drill loop steers by it: when the
 * fault starts, when traffic moved) and the zone's DNS answer (which cell
 * Route 53 routes to). The report's RTO is not taken from here but from the
 * k6 tasks' own timelines (the clients' view); the probe is the fallback when
 * no timeline could be collected, and the report says so.
 */

export interface ProbeResult {
  readonly status: number;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly servedBy: string;
}

export type Probe = () => Promise<ProbeResult>;

/**
 * One HTTPS request on a fresh connection (no keep-alive: a pooled socket would
 * stay on the old cell after DNS moved), resolved anew each time by the OS.
 */
export function httpsProbe(url: string, timeoutMs: number): Probe {
  return () =>
    new Promise((resolve) => {
      const started = performance.now();
      const done = (status: number, servedBy: string) =>
        resolve({ status, ok: isSuccessStatus(status), latencyMs: performance.now() - started, servedBy });
      const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (response) => {
        response.resume();
        const header = response.headers[SERVED_BY_HEADER.toLowerCase()];
        const served = servedByLabel(parseServedBy(Array.isArray(header) ? header[0] : header));
        response.on('end', () => done(response.statusCode ?? 0, served));
        response.on('error', () => done(0, served));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => done(0, 'unknown'));
      req.end();
    });
}

export type ResolveCname = (name: string) => Promise<string[]>;

/** The zone's DNS answer each second, named as the cell it points at (`zone/region`), for the report's timeline. */
export function dnsObserver(
  zone: Zone,
  resolveCname: ResolveCname = (name) => new Resolver({ timeout: 1000, tries: 1 }).resolveCname(name),
): Observer {
  const byDomain = new Map(zone.cells.map((cell) => [cell.apiDomainName.toLowerCase(), cellKey(cell)]));
  return async () => {
    try {
      const [answer] = await resolveCname(zone.apiDomainName);
      const name = answer?.toLowerCase().replace(/\.$/, '');
      return { routedTo: name ? (byDomain.get(name) ?? name) : null };
    } catch {
      return { routedTo: null };
    }
  };
}

export const zoneHealthUrl = (model: TopologyModel, zone: Zone) =>
  `https://${zone.apiDomainName}${model.config.healthCheck.path}`;
