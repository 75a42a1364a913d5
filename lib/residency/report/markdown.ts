import type { ReportEntry, ResidencyReport } from './residency-report';

const cell = (text: string | undefined) => (text ?? '—').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function encryptionText(e: ReportEntry): string {
  if (e.encryption.length === 0) return '—';
  return e.encryption
    .map(
      (x) =>
        `${x.dataRegion ?? '?'}: ${x.kind}${x.keyRegion ? ` key in ${x.keyRegion}` : ''}${
          x.customerManaged && !x.sameRegion ? ' (NOT same region)' : ''
        }`,
    )
    .join('; ');
}

function flowText(e: ReportEntry): string {
  const parts = [
    ...e.replication.map(
      (r) => `${r.kind} -> ${r.region ?? 'unresolved'}${r.withinZone ? '' : ' (OUTSIDE ZONE)'}`,
    ),
    ...e.cdnFronts.map((f) => `CDN ${f.pathPattern} -> ${f.origin}${f.compliant ? '' : ' (VIOLATION)'}`),
    ...e.exposedThrough.map((d) => `served by CDN ${d}`),
    ...e.reaches.map((s) => `reaches ${s.target}${s.region ? ` (${s.region})` : ''}`),
  ];
  return parts.length > 0 ? parts.join('<br>') : '—';
}

/** The review document: summary, zones, rule results, violations with fixes, inventory. */
export function renderMarkdown(report: ResidencyReport): string {
  const lines: string[] = [];
  lines.push(`# Residency evidence: ${report.appName} (${report.domain})`, '');
  lines.push(`Generated ${report.generatedAt} from the synthesized cloud assembly.`, '');
  lines.push(
    report.compliant
      ? `**Result: PASS**: ${report.entries.length} resources that store or carry data, every residency rule passes.`
      : `**Result: FAIL**: ${report.violations.length} violation(s); see below.`,
    '',
  );
  lines.push(
    '## Zones',
    '',
    '| Zone | Residency | Sovereign | Partition | Account | Regions |',
    '|---|---|---|---|---|---|',
  );
  for (const z of report.zones) {
    lines.push(
      `| ${z.name} | ${z.residency} | ${z.sovereign ? 'yes' : 'no'} | ${z.partition} | ${z.account} | ${z.regions.join(', ')} |`,
    );
  }
  lines.push('', '## Rules', '', '| Rule | What it checks | Checked | Violations |', '|---|---|---|---|');
  for (const r of report.rules)
    lines.push(`| ${r.id} | ${cell(r.description)} | ${r.checked} | ${r.violations} |`);
  lines.push('', '## Violations', '');
  if (report.violations.length === 0) lines.push('None.');
  for (const v of report.violations) {
    lines.push(
      `- **${v.ruleId}** \`${v.constructPath}\` (${v.type}, ${v.location}): ${v.message} Fix: ${v.fix}`,
    );
  }
  lines.push(
    '',
    '## CDNs',
    '',
    'Every CDN of both vendors: CloudFront from the CloudFormation templates, Cloudflare from its Terraform JSON.',
    '',
    '| Vendor | CDN | Zones | Fronts (path -> origin) | Cached | Logs go to | Rules |',
    '|---|---|---|---|---|---|---|',
  );
  if (report.cdns.length === 0) lines.push('| — | no CDN in the assembly | | | | | |');
  for (const c of report.cdns) {
    const rules =
      c.findings.length === 0
        ? '—'
        : c.compliant
          ? 'pass'
          : `FAIL: ${c.findings
              .filter((f) => !f.compliant)
              .map((f) => cell(f.message))
              .join('<br>')}`;
    lines.push(
      `| ${c.vendor}${c.regionKey ? ` (Regional Services ${c.regionKey})` : ''} | \`${cell(c.name)}\` | ${cell(c.zones.join(', ') || undefined)} | ${c.fronts.map(cell).join('<br>') || '—'} | ${c.cached.map(cell).join('<br>') || '—'} | ${c.logs.map(cell).join('<br>')} | ${rules} |`,
    );
  }
  lines.push(
    '',
    '## Inventory',
    '',
    '| Resource | Type | Zone | Partition / region | Classification | Encryption at rest | Retention | Data flows | Rules |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const e of report.entries) {
    const rules =
      e.findings.length === 0
        ? '—'
        : e.compliant
          ? 'pass'
          : `FAIL: ${e.findings
              .filter((f) => !f.compliant)
              .map((f) => f.ruleId)
              .join(', ')}`;
    lines.push(
      `| \`${cell(e.constructPath)}\` | ${e.type} | ${cell(e.zone)} | ${cell(e.partition)} / ${cell(e.region)} | ${cell(e.classification)} | ${cell(encryptionText(e))} | ${cell(e.retention)} | ${flowText(e)} | ${rules} |`,
    );
  }
  lines.push('', '## Region-deny service control policies', '');
  lines.push('Per zone (attach to accounts that hold only that zone): `scp/zone-<zone>.json`.');
  for (const a of report.serviceControlPolicies.byAccount) {
    lines.push(
      `- Account ${a.account} holds zone(s) ${a.zones.join(', ')}: attach \`scp/account-${a.account}.json\`.`,
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
