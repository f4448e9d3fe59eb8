/**
 * Removes the GPS IFD from an EXIF (TIFF-structured) block, in place and without changing its
 * length: the `GPSInfo` entry (tag 0x8825) leaves IFD0 (the entries after it move up by one
 * and the freed 12 bytes are zeroed) and the GPS IFD with every value it points to is zeroed.
 * Keeping the length is what makes the edit safe in every container: no segment, chunk or
 * HEIF item location (`iloc`) needs to change, and the pixels are never touched.
 *
 * Every read is bounds-checked against `tiff`, the block's own extent, so a hostile block can
 * at worst damage its own metadata, never the image data around it.
 */

/** Bytes per value of each TIFF field type (1 BYTE … 13 IFD); unknown types count as 1. */
const TYPE_SIZES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
const GPS_INFO_TAG = 0x8825;
const ENTRY_SIZE = 12;

/** True when a GPS IFD was found and removed. */
export function removeExifGps(tiff: Uint8Array): boolean {
  if (tiff.length < 8) return false;
  const littleEndian = tiff[0] === 0x49 && tiff[1] === 0x49; // "II"
  if (!littleEndian && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return false; // "MM"
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (view.getUint16(2, littleEndian) !== 42) return false;

  const ifd0 = view.getUint32(4, littleEndian);
  if (ifd0 + 2 > tiff.length) return false;
  const count = view.getUint16(ifd0, littleEndian);
  // The entries and the 4-byte offset of the next IFD that follows them.
  const ifdEnd = ifd0 + 2 + count * ENTRY_SIZE + 4;
  if (ifdEnd > tiff.length) return false;

  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * ENTRY_SIZE;
    if (view.getUint16(entry, littleEndian) !== GPS_INFO_TAG) continue;
    zeroIfd(tiff, view, view.getUint32(entry + 8, littleEndian), littleEndian);
    tiff.copyWithin(entry, entry + ENTRY_SIZE, ifdEnd);
    tiff.fill(0, ifdEnd - ENTRY_SIZE, ifdEnd);
    view.setUint16(ifd0, count - 1, littleEndian);
    return true;
  }
  return false;
}

/** Zeroes an IFD, its entries and the out-of-line values they point to (those within bounds). */
function zeroIfd(tiff: Uint8Array, view: DataView, offset: number, littleEndian: boolean): void {
  if (offset < 8 || offset + 2 > tiff.length) return;
  const count = view.getUint16(offset, littleEndian);
  const end = Math.min(offset + 2 + count * ENTRY_SIZE + 4, tiff.length);
  for (let entry = offset + 2; entry + ENTRY_SIZE <= end; entry += ENTRY_SIZE) {
    const type = view.getUint16(entry + 2, littleEndian);
    const size = (TYPE_SIZES[type] ?? 1) * view.getUint32(entry + 4, littleEndian);
    if (size <= 4) continue; // the value sits in the entry itself
    const valueOffset = view.getUint32(entry + 8, littleEndian);
    if (valueOffset >= 8 && valueOffset + size <= tiff.length) {
      tiff.fill(0, valueOffset, valueOffset + size);
    }
  }
  tiff.fill(0, offset, end);
}
