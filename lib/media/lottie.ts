/**
 * Lottie (bodymovin JSON): plain JSON is refused; canvas size and duration come from the
 * document's own fields.
 */
import { UnsupportedMediaTypeError } from '../errors.ts';
import * as z from '../zod.ts';
import { type Dimensions, pixels, seconds } from './measurements.ts';
import { decodeText, textMismatch } from './text.ts';

/**
 * The fields every Lottie player needs (bodymovin schema): version, in/out frame, frame rate,
 * canvas size and the layer list. Plain JSON lacks them and is refused. Built on the first
 * Lottie file (`z.lazy`), not when an upload function starts.
 */
const lottieSchema = z.lazy(() =>
  z
    .object({
      v: z.string(),
      ip: z.number(),
      op: z.number(),
      fr: z.number().check(z.positive()),
      w: z.number().check(z.nonnegative()),
      h: z.number().check(z.nonnegative()),
      layers: z.array(z.unknown()),
    })
    .check(z.refine((doc) => doc.op >= doc.ip, 'op must not be before ip')),
);

export async function inspectLottie(
  bytes: Uint8Array,
  declared: string,
): Promise<Dimensions & { duration: number | null }> {
  const text = decodeText(bytes);
  let doc: unknown;
  try {
    doc = text === null ? undefined : JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (doc === undefined) throw await textMismatch(bytes, declared, 'JSON');
  const lottie = z.safeParse(lottieSchema, doc);
  if (!lottie.success) {
    throw new UnsupportedMediaTypeError(
      `The file is JSON but not a Lottie animation (a Lottie document has v, ip, op, fr, w, h and layers), so it does not match mimeType ${declared}.`,
    );
  }
  const { ip, op, fr, w, h } = lottie.data;
  return { width: pixels(w), height: pixels(h), duration: seconds((op - ip) / fr) };
}
