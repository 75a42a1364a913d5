import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { securityHeaders } from '../lambdas/api/http/security-headers';
import { REPO_ROOT } from '../lib/topology';
import { buildBrowserBundle } from '../scripts/commerce-client/bundle';

/**
 * The kiosk page (clients/kiosk) served by the local edge at /kiosk/, with the browser build of the
 * client built in memory on first request (esbuild, the same build as `npm run client:bundle`).
 * Same origin as the edge, so the page's calls to the zone need no CORS; calls to a cell directly
 * (cell failover) would, and the API does not answer CORS yet: open the page with `failover=dns`.
 */

const KIOSK_DIR = join(REPO_ROOT, 'clients', 'kiosk');

/** Only the page's own style block (by hash), scripts from the edge, fetch to loopback. */
function kioskPolicy(html: string): string {
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  const styleHash = createHash('sha256').update(style, 'utf8').digest('base64');
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'sha256-${styleHash}'`,
    "connect-src 'self' http://127.0.0.1:*",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

type Bundle = Readonly<Record<'commerce-client.js' | 'kiosk.js', string>>;

export function kioskRoutes(): Hono {
  const html = readFileSync(join(KIOSK_DIR, 'index.html'), 'utf8');
  let bundle: Promise<Bundle> | undefined;
  const build = async (): Promise<Bundle> => {
    // Built on first use only: the edge pays for esbuild when the page is asked for.
    const { client, kiosk } = await buildBrowserBundle({ write: false });
    const text = (files: typeof client.outputFiles, name: string) =>
      files?.find((file) => file.path.endsWith(`/${name}`))?.text ?? '';
    return {
      'commerce-client.js': text(client.outputFiles, 'commerce-client.js'),
      'kiosk.js': text(kiosk.outputFiles, 'kiosk.js'),
    };
  };
  const app = new Hono();
  app.use('/kiosk/*', securityHeaders({ contentSecurityPolicy: kioskPolicy(html) }));
  app.get('/kiosk', (c) => c.redirect('/kiosk/'));
  app.get('/kiosk/', (c) => c.html(html));
  app.get('/kiosk/dist/:file', async (c) => {
    const file = c.req.param('file');
    if (file !== 'commerce-client.js' && file !== 'kiosk.js') return c.notFound();
    bundle ??= build().catch((error: unknown) => {
      bundle = undefined;
      throw error;
    });
    let built: Bundle;
    try {
      built = await bundle;
    } catch (error) {
      // A loopback dev page: say why the build failed instead of a bare 500.
      return c.text(`building the kiosk bundle failed: ${(error as Error).message}`, 500);
    }
    return c.body(built[file], 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    });
  });
  return app;
}
