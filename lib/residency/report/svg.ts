import type { DataFlow, ResidencyReport } from './residency-report';

/**
 * The data-flow picture: one box per zone holding one box per region, CDN
 * distributions above, and an arrow per replication, CDN front or
 * cross-region Lambda access. Arrows that cross a residency boundary are red.
 */

const REGION_W = 170;
const REGION_H = 70;
const PAD = 20;
const ZONE_TOP = 170;
const CDN_H = 44;

export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** `stack/Construct` of a construct path, cut to fit a CDN box. */
const shortName = (path: string) => {
  const name = path.split('/').slice(0, 2).join('/');
  return name.length > 34 ? `${name.slice(0, 33)}…` : name;
};

const centre = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

export function renderDataFlowSvg(report: ResidencyReport): string {
  const groups = report.zones.map((z) => ({
    label: `zone ${z.name} (${z.residency}${z.sovereign ? ', sovereign' : ''}, ${z.partition})`,
    regions: [...z.regions],
    restricted: z.residency !== 'none' || z.sovereign,
  }));
  const known = new Set(groups.flatMap((g) => g.regions));
  const outside = [
    ...new Set(
      report.flows
        .flatMap((f) => [f.from.region, f.to.region])
        .filter((r): r is string => !!r && !known.has(r)),
    ),
  ];
  if (report.flows.some((f) => !f.to.region && f.kind !== 'cdn')) outside.push('unresolved');
  if (outside.length > 0) groups.push({ label: 'outside every zone', regions: outside, restricted: false });

  const regionBoxes = new Map<string, Box>();
  const zoneBoxes: { box: Box; label: string; restricted: boolean; outside: boolean }[] = [];
  let x = PAD;
  groups.forEach((g, gi) => {
    const w = g.regions.length * (REGION_W + PAD) + PAD;
    zoneBoxes.push({
      box: { x, y: ZONE_TOP, w, h: REGION_H + 60 },
      label: g.label,
      restricted: g.restricted,
      outside: gi >= report.zones.length,
    });
    g.regions.forEach((region, i) => {
      regionBoxes.set(`${gi}:${region}`, {
        x: x + PAD + i * (REGION_W + PAD),
        y: ZONE_TOP + 40,
        w: REGION_W,
        h: REGION_H,
      });
      if (!regionBoxes.has(region)) regionBoxes.set(region, regionBoxes.get(`${gi}:${region}`)!);
    });
    x += w + PAD * 2;
  });
  const cdnNodes = [...new Set(report.flows.filter((f) => f.from.node).map((f) => f.from.node!))];
  const cdnBoxes = new Map(cdnNodes.map((node, i) => [node, { x: PAD + i * 260, y: PAD, w: 240, h: CDN_H }]));
  const width = Math.max(x, PAD + cdnNodes.length * 260) + PAD;
  const height = ZONE_TOP + REGION_H + 60 + PAD * 2 + 40;

  const counts = new Map<string, number>();
  for (const e of report.entries) if (e.region) counts.set(e.region, (counts.get(e.region) ?? 0) + 1);

  const arrow = (flow: DataFlow, index: number): string => {
    const from = flow.from.node
      ? cdnBoxes.get(flow.from.node)
      : flow.from.region
        ? regionBoxes.get(flow.from.region)
        : undefined;
    const to =
      regionBoxes.get(flow.to.region ?? (flow.kind === 'cdn' ? '' : 'unresolved')) ??
      (flow.to.zone ? zoneBoxes[report.zones.findIndex((z) => z.name === flow.to.zone)]?.box : undefined);
    if (!from || !to || from === to) return '';
    const a = centre(from);
    const b = centre(to);
    const bend = flow.kind === 'cdn' ? 0 : -70 - (index % 4) * 15;
    const cx = (a.x + b.x) / 2;
    const cy = flow.kind === 'cdn' ? (a.y + b.y) / 2 : Math.min(a.y, b.y) + bend;
    const colour = flow.crossesBoundary ? '#c62828' : '#546e7a';
    return `<path d="M${a.x},${flow.kind === 'cdn' ? a.y + CDN_H / 2 : a.y - REGION_H / 2} Q${cx},${cy} ${b.x},${b.y - to.h / 2}" fill="none" stroke="${colour}" stroke-width="${flow.crossesBoundary ? 3 : 1.5}" marker-end="url(#${flow.crossesBoundary ? 'red' : 'grey'})"${flow.crossesBoundary ? ' class="crossing"' : ''}><title>${escapeXml(`${flow.label}${flow.crossesBoundary ? ' (crosses the residency boundary)' : ''}`)}</title></path>`;
  };

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="12" role="img" aria-label="Residency data-flow diagram">`,
  );
  parts.push(
    '<defs>',
    ...['red:#c62828', 'grey:#546e7a'].map((m) => {
      const [id, c] = m.split(':');
      return `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`;
    }),
    '</defs>',
  );
  for (const z of zoneBoxes) {
    parts.push(
      `<rect x="${z.box.x}" y="${z.box.y}" width="${z.box.w}" height="${z.box.h}" rx="10" fill="${z.outside ? '#fff3f3' : z.restricted ? '#e8f0fe' : '#f1f8e9'}" stroke="${z.outside ? '#c62828' : '#90a4ae'}" stroke-dasharray="${z.outside ? '6 4' : ''}"/>`,
    );
    parts.push(
      `<text x="${z.box.x + 10}" y="${z.box.y + 22}" font-weight="bold">${escapeXml(z.label)}</text>`,
    );
  }
  for (const [key, box] of regionBoxes) {
    if (!key.includes(':')) continue;
    const region = key.split(':')[1]!;
    parts.push(
      `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="6" fill="#ffffff" stroke="#607d8b"/>`,
    );
    parts.push(
      `<text x="${box.x + box.w / 2}" y="${box.y + 30}" text-anchor="middle" font-weight="bold">${escapeXml(region)}</text>`,
    );
    parts.push(
      `<text x="${box.x + box.w / 2}" y="${box.y + 50}" text-anchor="middle" fill="#455a64">${counts.get(region) ?? 0} data resources</text>`,
    );
  }
  for (const [node, box] of cdnBoxes) {
    parts.push(
      `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="6" fill="#fff8e1" stroke="#ffa000"/>`,
    );
    parts.push(`<text x="${box.x + 8}" y="${box.y + 27}">CDN ${escapeXml(shortName(node))}</text>`);
  }
  report.flows.forEach((flow, i) => {
    parts.push(arrow(flow, i));
  });
  parts.push(
    `<text x="${PAD}" y="${height - 12}" fill="#455a64">Grey arrows stay inside a zone; red arrows cross a residency boundary. Hover an arrow for details.</text>`,
  );
  parts.push('</svg>');
  return parts.filter(Boolean).join('\n');
}
