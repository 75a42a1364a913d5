/**
 * The human status view of the local topology, served by the edge router at
 * /status. Static HTML; a small script polls /control/state every second and
 * redraws (zones, cells, who serves each zone, health, replication lag, outbox
 * relay activity, webhook queue depth and DLQ). Everything shown is SIMULATED
 * infrastructure around the production handler code. Served with a
 * Content-Security-Policy that allows exactly its own inline style and script
 * (by hash) and fetches to its own origin.
 */
import { htmlPolicy } from '../lambdas/api/http/security-headers';

const STATUS_PAGE_STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d232a; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.5rem; }
  table { border-collapse: collapse; min-width: 40rem; }
  th, td { border-bottom: 1px solid #d8dde3; padding: .3rem .7rem; text-align: left; }
  th { background: #f3f5f7; }
  .ok { color: #0a7a2f; font-weight: 600; } .bad { color: #b42318; font-weight: 600; }
  .muted { color: #67707a; } code { background: #f3f5f7; padding: 0 .2rem; }
`;

const STATUS_PAGE_SCRIPT = `
const esc = (v) => String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const ms = (v) => (v === null || v === undefined ? '–' : v + ' ms');
async function refresh() {
  try {
    const s = await (await fetch('/control/state', { cache: 'no-store' })).json();
    const d = s.details || {};
    document.getElementById('timing').textContent = d.timing
      ? 'time scale ' + d.timing.timeScale + ': health check every ' + d.timing.healthCheckIntervalMs + ' ms (cloud ' + d.timing.cloudHealthCheckIntervalSeconds + ' s), threshold ' + d.timing.failureThreshold + ', DNS TTL ' + d.timing.dnsTtlMs + ' ms (cloud ' + d.timing.cloudDnsTtlSeconds + ' s); predicted RTO ' + d.timing.predictedRtoScaledSeconds + ' s here = ' + d.timing.predictedRtoCloudSeconds + ' s in the cloud'
      : '';
    document.getElementById('zones').innerHTML = Object.entries(s.serving).map(([zone, region]) => {
      const r = s.replication[zone];
      return '<tr><td>' + esc(zone) + '</td><td class="' + (region ? 'ok' : 'bad') + '">' + esc(region ?? 'no healthy cell') + '</td><td>' +
        (r ? (r.paused ? '<span class="bad">paused</span>' : 'running') : '<span class="muted">single region</span>') +
        '</td><td>' + (r ? ms(r.lagMs) : '–') + '</td><td>' + (r ? r.pending : '–') + '</td></tr>';
    }).join('');
    const urls = d.cellUrls || {};
    const queue = d.webhookQueue || {};
    const relays = d.outboxRelay || {};
    const relayText = (r) => !r ? 'unknown' : r.retrying ? 'retrying (' + r.lastError + ')' : 'ok, ' + r.records + ' records';
    document.getElementById('cells').innerHTML = s.cells.map((c) => {
      const key = c.zone + '/' + c.region;
      const faults = [c.forcedUnhealthy ? 'forced 503' : '', c.addedLatencyMs ? '+' + c.addedLatencyMs + ' ms' : ''].filter(Boolean).join(', ');
      return '<tr><td>' + esc(c.zone) + '</td><td>' + esc(c.region) + '</td><td>' + esc(c.role) + '</td><td class="' + (c.healthy ? 'ok' : 'bad') + '">' +
        (c.healthy ? 'healthy' : 'unhealthy') + '</td><td>' + (c.running ? 'yes' : '<span class="bad">stopped</span>') + '</td><td>' + esc(faults || '–') +
        '</td><td>' + esc(relayText(relays[key])) + '</td><td>' + esc(queue[key] ?? 'unknown') + '</td><td><a href="' + esc(urls[key]) + '/v1/health">' + esc(urls[key]) + '</a></td></tr>';
    }).join('');
    document.getElementById('cdns').innerHTML = (s.cdn || []).flatMap((z) => {
      const st = z.steering;
      const steering = st.mode === 'weighted' ? 'weighted ' + Object.entries(st.weights).map(([v, w]) => v + ' ' + w).join(' / ') : st.mode === 'failover' ? 'failover, primary ' + st.primary : 'one CDN';
      return z.vendors.map((v) => {
        const c = v.cache;
        const origins = v.origins.map((o) => o.cell + (o.healthy ? '' : ' (down)')).join(', ');
        return '<tr><td>' + esc(z.zone) + '</td><td>' + esc(steering) + '</td><td>' + esc(z.answering.join(', ')) + '</td><td>' + esc(v.vendor) + '</td><td class="' + (v.healthy ? 'ok' : 'bad') + '">' +
          (v.healthy ? 'healthy' : 'unhealthy') + '</td><td>' + (v.running ? 'yes' : '<span class="bad">stopped</span>') + '</td><td>' + esc(v.addedLatencyMs ? '+' + v.addedLatencyMs + ' ms' : '–') +
          '</td><td>' + esc(c.entries + ' entries, ' + c.hits + ' hit / ' + c.misses + ' miss / ' + c.stale + ' stale, ' + c.refused + ' refused, ' + c.originErrors + ' origin errors') + '</td><td>' + esc(origins) +
          '</td><td><a href="' + esc(z.catalog) + '/v1/products">' + esc(z.catalog) + '</a> via ' + esc(v.url) + '</td></tr>';
      });
    }).join('') || '<tr><td colspan="10" class="muted">no zone is fronted by a CDN</td></tr>';
    document.getElementById('sink').textContent = 'received ' + s.webhookSink.received + ', fault ' + s.webhookSink.fault.mode +
      (d.webhookDlq === null || d.webhookDlq === undefined ? ', DLQ unknown' : ', DLQ ' + d.webhookDlq);
    document.getElementById('failovers').innerHTML = (d.failovers || []).map((f) =>
      '<li>' + esc(f.at) + ': zone ' + esc(f.zone) + ' ' + esc(f.from) + ' → ' + esc(f.to) + '</li>').join('') || '<li class="muted">none</li>';
    document.getElementById('error').textContent = '';
  } catch (e) {
    document.getElementById('error').textContent = 'state unavailable: ' + e;
  }
}
refresh();
setInterval(refresh, 1000);
`;

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Local topology status</title>
<style>${STATUS_PAGE_STYLE}</style>
</head>
<body>
<h1>Local topology <span class="muted">(SIMULATED infrastructure, production handlers)</span></h1>
<p id="timing" class="muted">loading…</p>
<h2>Zones</h2>
<table><thead><tr><th>zone</th><th>serving now</th><th>replication</th><th>lag</th><th>pending</th></tr></thead><tbody id="zones"></tbody></table>
<h2>Cells</h2>
<table><thead><tr><th>zone</th><th>region</th><th>role</th><th>health (edge view)</th><th>running</th><th>faults</th><th>outbox relay</th><th>webhook queue</th><th>URL</th></tr></thead><tbody id="cells"></tbody></table>
<h2>CDNs <span class="muted">(SIMULATED CloudFront and Cloudflare; the catalog name steered between them like Route 53)</span></h2>
<table><thead><tr><th>zone</th><th>steering</th><th>answering now</th><th>CDN</th><th>health (Route 53 view)</th><th>running</th><th>faults</th><th>cache</th><th>origins</th><th>URL</th></tr></thead><tbody id="cdns"></tbody></table>
<h2>Webhook sink</h2>
<p id="sink"></p>
<h2>Failovers seen by the edge</h2>
<ul id="failovers"></ul>
<p class="muted">Refreshes every second from <code>GET /control/state</code>. <span id="error"></span></p>
<script>${STATUS_PAGE_SCRIPT}</script>
</body>
</html>
`;

export const STATUS_PAGE_CSP = htmlPolicy({ scripts: [STATUS_PAGE_SCRIPT], styles: [STATUS_PAGE_STYLE] });
