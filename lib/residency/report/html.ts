import type { ResidencyReport } from './residency-report';
import { escapeXml, renderDataFlowSvg } from './svg';

const esc = (text: string | undefined) => escapeXml(text ?? '—');

/** A single self-contained page (no external assets): summary, diagram, rules, violations, inventory, SCPs. */
export function renderHtml(report: ResidencyReport): string {
  const rows = report.entries
    .map((e) => {
      const enc = e.encryption
        .map((x) => `${esc(x.dataRegion)}: ${esc(x.kind)}${x.keyRegion ? ` (key ${esc(x.keyRegion)})` : ''}`)
        .join('<br>');
      const flows = [
        ...e.replication.map(
          (r) =>
            `<span class="${r.withinZone ? '' : 'bad'}">${esc(r.kind)} → ${esc(r.region ?? 'unresolved')}</span>`,
        ),
        ...e.cdnFronts.map(
          (f) =>
            `<span class="${f.compliant ? '' : 'bad'}">CDN ${esc(f.pathPattern)} → ${esc(f.origin)}</span>`,
        ),
        ...e.exposedThrough.map((d) => `served by CDN ${esc(d)}`),
        ...e.reaches.map((s) => `reaches ${esc(s.target)}${s.region ? ` (${esc(s.region)})` : ''}`),
      ].join('<br>');
      const failed = e.findings.filter((f) => !f.compliant);
      const rules =
        e.findings.length === 0
          ? '—'
          : failed.length === 0
            ? '<span class="ok">pass</span>'
            : failed
                .map((f) => `<span class="bad" title="${esc(f.message)}">${esc(f.ruleId)}</span>`)
                .join('<br>');
      return `<tr class="${failed.length ? 'fail' : ''}"><td><code>${esc(e.constructPath)}</code></td><td>${esc(e.type)}</td><td>${esc(e.zone)}</td><td>${esc(e.partition)}<br>${esc(e.region)}</td><td>${esc(e.classification)}</td><td>${enc || '—'}</td><td>${esc(e.retention)}</td><td>${flows || '—'}</td><td>${rules}</td></tr>`;
    })
    .join('\n');
  const violations =
    report.violations.length === 0
      ? '<p class="ok">None.</p>'
      : `<ul>${report.violations.map((v) => `<li><b>${esc(v.ruleId)}</b> <code>${esc(v.constructPath)}</code> (${esc(v.type)}, ${esc(v.location)}): ${esc(v.message)}<br><i>Fix:</i> ${esc(v.fix)}</li>`).join('\n')}</ul>`;
  const scps = Object.entries(report.serviceControlPolicies.byZone)
    .map(
      ([zone, policy]) =>
        `<details><summary>zone ${esc(zone)}: scp/zone-${esc(zone)}.json</summary><pre>${esc(JSON.stringify(policy, null, 2))}</pre></details>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Residency evidence: ${esc(report.appName)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#263238}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #cfd8dc;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eceff1}tr.fail{background:#ffebee}.bad{color:#c62828;font-weight:bold}.ok{color:#2e7d32;font-weight:bold}
.verdict{font-size:1.3rem;padding:.5rem 1rem;display:inline-block;border-radius:6px}.pass{background:#e8f5e9}.failv{background:#ffebee}
svg{max-width:100%;height:auto;border:1px solid #eceff1}
</style></head><body>
<h1>Residency evidence: ${esc(report.appName)} (${esc(report.domain)})</h1>
<p>Generated ${esc(report.generatedAt)} from the synthesized cloud assembly.</p>
<p class="verdict ${report.compliant ? 'pass' : 'failv'}">${report.compliant ? 'PASS: every residency rule passes' : `FAIL: ${report.violations.length} violation(s)`}</p>
<h2>Zones</h2>
<table><tr><th>Zone</th><th>Residency</th><th>Sovereign</th><th>Partition</th><th>Account</th><th>Regions</th></tr>
${report.zones.map((z) => `<tr><td>${esc(z.name)}</td><td>${esc(z.residency)}</td><td>${z.sovereign ? 'yes' : 'no'}</td><td>${esc(z.partition)}</td><td>${esc(z.account)}</td><td>${esc(z.regions.join(', '))}</td></tr>`).join('\n')}
</table>
<h2>Data flows</h2>
${renderDataFlowSvg(report)}
<h2>Rules</h2>
<table><tr><th>Rule</th><th>What it checks</th><th>Checked</th><th>Violations</th></tr>
${report.rules.map((r) => `<tr><td>${esc(r.id)}</td><td>${esc(r.description)}</td><td>${r.checked}</td><td class="${r.violations ? 'bad' : 'ok'}">${r.violations}</td></tr>`).join('\n')}
</table>
<h2>Violations</h2>
${violations}
<h2>CDNs</h2>
<p>Every CDN of both vendors: CloudFront from the CloudFormation templates, Cloudflare from its Terraform JSON.</p>
<table><tr><th>Vendor</th><th>CDN</th><th>Zones</th><th>Fronts (path → origin)</th><th>Cached</th><th>Logs go to</th><th>Rules</th></tr>
${
  report.cdns
    .map(
      (c) =>
        `<tr class="${c.compliant ? '' : 'fail'}"><td>${esc(c.vendor)}${c.regionKey ? `<br>Regional Services ${esc(c.regionKey)}` : ''}</td><td><code>${esc(c.name)}</code></td><td>${esc(c.zones.join(', ') || undefined)}</td><td>${c.fronts.map((f) => esc(f)).join('<br>') || '—'}</td><td>${c.cached.map((f) => esc(f)).join('<br>') || '—'}</td><td>${c.logs.map((l) => esc(l)).join('<br>')}</td><td>${
          c.findings.length === 0
            ? '—'
            : c.compliant
              ? '<span class="ok">pass</span>'
              : c.findings
                  .filter((f) => !f.compliant)
                  .map((f) => `<span class="bad" title="${esc(f.fix)}">${esc(f.message)}</span>`)
                  .join('<br>')
        }</td></tr>`,
    )
    .join('\n') || '<tr><td colspan="7">No CDN in the assembly.</td></tr>'
}
</table>
<h2>Inventory</h2>
<table><tr><th>Resource</th><th>Type</th><th>Zone</th><th>Partition / region</th><th>Classification</th><th>Encryption at rest</th><th>Retention</th><th>Data flows</th><th>Rules</th></tr>
${rows}
</table>
<h2>Region-deny service control policies</h2>
${scps}
</body></html>
`;
}
