import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPENAPI_FILE, openApiText } from '../../../lambdas/api/contract';
import { isPersonalDataPath } from '../../../lambdas/core/data-classification';

describe('OpenAPI contract', () => {
  const generated = JSON.parse(openApiText()) as {
    openapi: string;
    paths: Record<string, Record<string, { operationId: string; parameters: { name: string }[] }>>;
  };

  it('is committed and up to date (regenerate with `npx tsx scripts/openapi.ts`)', () => {
    const committed = readFileSync(resolve(__dirname, '../../..', OPENAPI_FILE), 'utf8');
    expect(committed).toBe(openApiText());
  });

  it('is OpenAPI 3.1 and documents Idempotency-Key on every mutating operation', () => {
    expect(generated.openapi).toBe('3.1.0');
    for (const [path, operations] of Object.entries(generated.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const needsKey = method !== 'get';
        expect({ path, method, key: operation.parameters.some((p) => p.name === 'Idempotency-Key') }).toEqual(
          {
            path,
            method,
            key: needsKey,
          },
        );
      }
    }
  });

  it('resolves every $ref to a component', () => {
    const text = openApiText();
    const components = (JSON.parse(text) as { components: { schemas: Record<string, unknown> } }).components
      .schemas;
    const refs = [...text.matchAll(/"\$ref": "#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(Object.keys(components)).toContain(ref);
  });

  it('documents the residency answers (403 home_zone_unknown, 421) on exactly the personal-data paths', () => {
    const document = JSON.parse(openApiText()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })),
    );
    for (const { path, method, operation } of operations) {
      const personal = isPersonalDataPath(path);
      expect({ path, method, documents421: '421' in operation.responses }).toEqual({
        path,
        method,
        documents421: personal,
      });
      if (personal) expect(operation.responses['403']?.description).toContain('home_zone_unknown');
    }
    expect(operations.filter(({ path }) => isPersonalDataPath(path)).length).toBeGreaterThan(5);
  });

  it('protects every personal-data path with a scope and leaves the catalog public', () => {
    const document = JSON.parse(openApiText()) as {
      paths: Record<string, Record<string, { security: Record<string, string[]>[] }>>;
    };
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const operation of Object.values(operations)) {
        if (isPersonalDataPath(path))
          expect({ path, secured: operation.security.length > 0 }).toEqual({ path, secured: true });
        if (path.startsWith('/v1/products')) expect(operation.security).toEqual([]);
      }
    }
  });
});
