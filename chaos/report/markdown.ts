import { type ReportBlock, reportFacts, reportSections, reportTitle } from './sections';
import type { DrillReport } from './types';

/** The Markdown summary an SRE files: the report's sections (sections.ts) as Markdown. */

/** A table cell: pipes and line breaks would end the cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function block(b: ReportBlock): string[] {
  switch (b.kind) {
    case 'paragraph':
      return [b.text];
    case 'list':
      return b.items.map((item) => `- ${item}`);
    case 'table':
      return [
        `| ${b.header.map(cell).join(' | ')} |`,
        `|${b.header.map(() => '---').join('|')}|`,
        ...b.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
      ];
    case 'chart':
      return ['The HTML page beside this file charts success rate, latency and the serving cell per second.'];
  }
}

export function renderMarkdown(report: DrillReport): string {
  const lines = [`# ${reportTitle(report)}`, '', ...reportFacts(report).map((fact) => `- ${fact}`)];
  for (const section of reportSections(report)) {
    lines.push('', `## ${section.title}`);
    for (const b of section.blocks) lines.push('', ...block(b));
  }
  lines.push('');
  return lines.join('\n');
}
