/** Pixels another decoder made of a file, for sharp to shrink (`lib/processing/thumbnail.ts`). */
export interface DecodedPicture {
  /** Interleaved RGBA, 8 bits per channel, `width × height × 4` bytes. */
  rgba: Uint8Array;
  width: number;
  height: number;
}
