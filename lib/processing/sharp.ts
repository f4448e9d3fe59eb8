/**
 * sharp, loaded on first use: importing it loads libvips and sharp's native addon, tens of
 * milliseconds a cold processing function spends only when it has a picture to work on (a batch
 * of non-media keys or a redelivered, already processed file never needs it).
 */
import type sharpModule from 'sharp';

type SharpFactory = typeof sharpModule;

let loading: Promise<SharpFactory> | undefined;

export function loadSharp(): Promise<SharpFactory> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    // Each Lambda invocation handles one image: libvips' operation cache would only hold memory.
    sharp.cache(false);
    return sharp;
  });
  return loading;
}
