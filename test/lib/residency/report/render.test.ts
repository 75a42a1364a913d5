import type { App } from 'aws-cdk-lib';
import { buildResidencyReport, renderHtml, renderMarkdown } from '../../../../lib/residency/report';
import { synthInventory } from '../support';
import { ALL_MISTAKES, defineCommerceApp } from './violating-app';

describe('report rendering', () => {
  const failing = buildResidencyReport(synthInventory((app: App) => defineCommerceApp(app, ALL_MISTAKES)));

  it('renders a self-contained HTML page with the inventory and a diagram whose boundary crossings are red', () => {
    const html = renderHtml(failing);

    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<(script|link)\b|src="http/);
    expect(html.match(/class="crossing"/g)).toHaveLength(4);
    expect(html).toContain('stroke="#c62828"');
    expect(html).toContain('EuCell/Commerce/Resource');
    expect(html).toContain('FAIL: 5 violation(s)');
  });

  it('renders Markdown with the verdict, every violation and its fix', () => {
    const markdown = renderMarkdown(failing);

    expect(markdown).toContain('**Result: FAIL**');
    expect(markdown).toContain('**ResidencyCdnBoundary** `Edge/Cdn/Resource`');
    expect(markdown).toMatch(/ResidencyReplicaInZone\*\* `EuCell\/ToSiem`.*Fix: /);
  });
});
