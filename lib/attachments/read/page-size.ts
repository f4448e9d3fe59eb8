/**
 * Page sizes of `GET /api/v1/media`: the list schema validates `limit` against them and
 * `GET /api/v1/media/limits` advertises them. A module of their own so that the limits
 * function does not bundle the request schemas (and zod) to read two numbers.
 */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
