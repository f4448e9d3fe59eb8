/**
 * The numbers the API reports about a file, and the rules that keep them honest: a value is a
 * positive, finite number or null ("unknown"), never 0, NaN, Infinity or a fraction of a pixel.
 */

export interface Dimensions {
  width: number | null;
  height: number | null;
}

export const NO_DIMENSIONS: Dimensions = { width: null, height: null };

/** Positive integer pixels or null: the API never reports 0, NaN or fractions. */
export function pixels(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  const rounded = Math.round(value);
  return rounded >= 1 ? rounded : null;
}

/** Seconds rounded to milliseconds, or null: the API never reports 0, NaN or Infinity. */
export function seconds(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  const rounded = Math.round(value * 1000) / 1000;
  return rounded > 0 ? rounded : null;
}
