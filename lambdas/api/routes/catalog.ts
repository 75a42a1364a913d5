import * as z from 'zod';
import { CatalogRepository } from '../../adapters/catalog-repository';
import { productSchema } from '../../core/catalog';
import { PUBLIC_CATALOG_STALE_IF_ERROR_SECONDS } from '../../core/data-classification';
import { ProblemError } from '../../core/errors';
import { contract, type RouteFamily } from '../http/route';
import { pageOf, pageQuerySchema, problemSchema, productParamsSchema } from '../schemas';

/** Public catalog read path: no personal data, cacheable by CDNs (see core/data-classification.ts). */
export const CATALOG_CACHE_CONTROL = `public, max-age=60, stale-while-revalidate=30, stale-if-error=${PUBLIC_CATALOG_STALE_IF_ERROR_SECONDS}`;

const CATALOG_HEADERS = { 'Cache-Control': { description: CATALOG_CACHE_CONTROL } };

const product = productSchema.meta({ id: 'Product' });

export const catalogContracts = {
  listProducts: contract({
    method: 'get',
    path: '/v1/products',
    operationId: 'listProducts',
    summary: 'List or search products (cursor pagination)',
    tag: 'catalog',
    mutating: false,
    conditional: true,
    query: pageQuerySchema.extend({ q: z.string().min(1).max(100).optional() }),
    responses: {
      200: {
        description: 'A page of products',
        schema: pageOf(product, 'ProductPage'),
        headers: CATALOG_HEADERS,
      },
      400: { description: 'Invalid query or cursor', schema: problemSchema },
    },
  }),
  getProduct: contract({
    method: 'get',
    path: '/v1/products/{productId}',
    operationId: 'getProduct',
    summary: 'Get one product',
    tag: 'catalog',
    mutating: false,
    conditional: true,
    params: productParamsSchema,
    responses: {
      200: { description: 'The product', schema: product, headers: CATALOG_HEADERS },
      404: { description: 'No such product', schema: problemSchema },
    },
  }),
};

export const catalogRoutes: RouteFamily<typeof catalogContracts> = {
  contracts: catalogContracts,
  bind: (deps) => {
    const catalog = new CatalogRepository(deps.table);
    return {
      listProducts: {
        handle: async ({ query }) => ({
          status: 200,
          body: await catalog.list({
            limit: query.limit,
            ...(query.cursor ? { cursor: query.cursor } : {}),
            ...(query.q ? { query: query.q } : {}),
          }),
          headers: { 'Cache-Control': CATALOG_CACHE_CONTROL },
        }),
      },
      getProduct: {
        handle: async ({ params }) => {
          const found = await catalog.get(params.productId);
          if (!found) throw new ProblemError('not_found', `no product ${params.productId}`);
          return { status: 200, body: found, headers: { 'Cache-Control': CATALOG_CACHE_CONTROL } };
        },
      },
    };
  },
};
