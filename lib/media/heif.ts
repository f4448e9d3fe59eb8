/**
 * ISO-BMFF (HEIF/AVIF) box reading, just enough to list the `ftyp` brands and find the primary
 * item's size. Every read is bounds-checked against the enclosing box, and malformed input
 * yields "unknown" rather than a guess.
 */
import { type Dimensions, pixels } from './measurements.ts';

/** The bytes [start, end) as Latin-1 text: box types, brands and other four-character codes. */
export function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

export interface Box {
  type: string;
  /** Offset of the box payload (after size/type header). */
  body: number;
  end: number;
}

/** Child boxes of [start, end). Stops at the first malformed header instead of guessing. */
export function boxes(view: DataView, start: number, end: number): Box[] {
  const found: Box[] = [];
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let pos = start;
  while (pos + 8 <= end) {
    let size = view.getUint32(pos);
    let header = 8;
    if (size === 1) {
      if (pos + 16 > end) break;
      size = Number(view.getBigUint64(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = end - pos; // "extends to the end"
    }
    if (size < header || pos + size > end) break;
    found.push({ type: ascii(bytes, pos + 4, pos + 8), body: pos + header, end: pos + size });
    pos += size; // size >= 8, so this always advances
  }
  return found;
}

/** The major and compatible brands of a leading `ftyp` box; empty when there is none. */
export function ftypBrands(bytes: Uint8Array): Set<string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ftyp = boxes(view, 0, bytes.length)[0];
  const brands = new Set<string>();
  if (ftyp?.type !== 'ftyp') return brands;
  brands.add(ascii(bytes, ftyp.body, ftyp.body + 4));
  for (let pos = ftyp.body + 8; pos + 4 <= ftyp.end; pos += 4)
    brands.add(ascii(bytes, pos, pos + 4));
  return brands;
}

/**
 * meta → pitm (primary item id) → iprp/ipma (its property indices) → iprp/ipco properties:
 * `ispe` is the coded size, `clap` crops it, `irot` by 90°/270° swaps it.
 */
export function heifPrimaryDimensions(bytes: Uint8Array): Dimensions | null {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const meta = boxes(view, 0, bytes.length).find((box) => box.type === 'meta');
    if (!meta) return null;
    const metaChildren = boxes(view, meta.body + 4, meta.end); // meta is a FullBox
    const pitm = metaChildren.find((box) => box.type === 'pitm');
    const iprp = metaChildren.find((box) => box.type === 'iprp');
    if (!pitm || !iprp) return null;
    const primaryId =
      view.getUint8(pitm.body) === 0
        ? view.getUint16(pitm.body + 4)
        : view.getUint32(pitm.body + 4);

    const iprpChildren = boxes(view, iprp.body, iprp.end);
    const ipco = iprpChildren.find((box) => box.type === 'ipco');
    if (!ipco) return null;
    const properties = boxes(view, ipco.body, ipco.end);
    const indices = iprpChildren
      .filter((box) => box.type === 'ipma')
      .flatMap((ipma) => propertyIndices(view, ipma, primaryId));

    let size: { width: number; height: number } | null = null;
    let rotated = false;
    for (const index of indices) {
      const property = properties[index - 1]; // 1-based; 0 means "no property"
      if (!property) continue;
      if (property.type === 'ispe' && property.body + 12 <= property.end) {
        size = {
          width: view.getUint32(property.body + 4),
          height: view.getUint32(property.body + 8),
        };
      } else if (property.type === 'clap' && size && property.body + 16 <= property.end) {
        const [wN, wD, hN, hD] = [0, 4, 8, 12].map((at) => view.getUint32(property.body + at));
        if (wD && hD) size = { width: (wN ?? 0) / wD, height: (hN ?? 0) / hD };
      } else if (property.type === 'irot' && property.body < property.end) {
        rotated = (view.getUint8(property.body) & 1) === 1;
      }
    }
    if (!size) return null;
    const width = pixels(rotated ? size.height : size.width);
    const height = pixels(rotated ? size.width : size.height);
    return width && height ? { width, height } : null;
  } catch {
    return null; // reads past the buffer on truncated files
  }
}

function propertyIndices(view: DataView, ipma: Box, itemId: number): number[] {
  const version = view.getUint8(ipma.body);
  const wideIndices = (view.getUint32(ipma.body) & 1) === 1; // flags bit 0
  const count = view.getUint32(ipma.body + 4);
  let pos = ipma.body + 8;
  for (let i = 0; i < count && pos < ipma.end; i++) {
    const id = version < 1 ? view.getUint16(pos) : view.getUint32(pos);
    pos += version < 1 ? 2 : 4;
    const associations = view.getUint8(pos);
    pos += 1;
    const indices: number[] = [];
    for (let j = 0; j < associations && pos < ipma.end; j++) {
      indices.push(wideIndices ? view.getUint16(pos) & 0x7fff : view.getUint8(pos) & 0x7f);
      pos += wideIndices ? 2 : 1;
    }
    if (id === itemId) return indices;
  }
  return [];
}
