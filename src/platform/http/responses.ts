import { z } from 'zod';

/** The error body of every non-2xx response, as published in the OpenAPI document. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
});

/** Error responses a route can give, by status, for its schema. */
export function errors(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 429)[]) {
  return Object.fromEntries([401, ...statuses].map((s) => [s, errorBody])) as Record<number, typeof errorBody>;
}
