/**
 * Sample attachments for the demo workspace, so the first list under `npm start` shows what
 * the service does: an image (which gets its thumbnail), a PDF and an audio clip. The files are
 * generated here (no binaries in the repository) and uploaded with the upload domain function
 * the API's handler calls, as their posts' authors: type sniffing, metadata, the stored blob,
 * the committed record, the storage event and the thumbnail, all as for any upload. Not
 * through HTTP: the user's own settings for the API (a rate limit of 1 per minute, a small
 * upload limit) are legal and must not fail the start. A sample over the upload limit is
 * left out, with one line saying so.
 */
import sharp from 'sharp';
import { type UploadDeps, uploadMedia } from '../lib/attachments/upload/upload.ts';
import type { DemoSeed } from '../lib/directory/admin/demo.ts';

export interface DemoAttachment {
  id: string;
  postId: string;
  fileName: string;
  mimeType: string;
}

interface SampleFile {
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

/** An 800×450 PNG banner: large enough that its WebP thumbnail is a real reduction. */
async function sampleImage(): Promise<SampleFile> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="450">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="#2b5876"/><stop offset="1" stop-color="#4e4376"/>
  </linearGradient></defs>
  <rect width="800" height="450" fill="url(#g)"/>
  <circle cx="640" cy="110" r="70" fill="#f9d56e"/>
  <path d="M0 360 L220 200 L380 330 L520 240 L800 400 L800 450 L0 450 Z" fill="#1d3b4f"/>
</svg>`;
  const bytes = await sharp(Buffer.from(svg)).png().toBuffer();
  return { fileName: 'launch-banner.png', mimeType: 'image/png', bytes };
}

/** A one-page PDF with one line of text; the cross-reference offsets are computed. */
function samplePdf(): SampleFile {
  const text = 'BT /F1 24 Tf 72 720 Td (Weekly update: the launch is on track.) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return { fileName: 'weekly-update.pdf', mimeType: 'application/pdf', bytes: Buffer.from(body) };
}

/** 1.5 s of a 440 Hz tone, 16-bit mono PCM at 16 kHz, in a WAV container (48 KB). */
function sampleAudio(): SampleFile {
  const rate = 16_000;
  const samples = rate * 1.5;
  const bytes = Buffer.alloc(44 + samples * 2);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(36 + samples * 2, 4);
  bytes.write('WAVEfmt ', 8, 'ascii');
  bytes.writeUInt32LE(16, 16); // fmt chunk size
  bytes.writeUInt16LE(1, 20); // PCM
  bytes.writeUInt16LE(1, 22); // mono
  bytes.writeUInt32LE(rate, 24);
  bytes.writeUInt32LE(rate * 2, 28); // bytes per second
  bytes.writeUInt16LE(2, 32); // block align
  bytes.writeUInt16LE(16, 34); // bits per sample
  bytes.write('data', 36, 'ascii');
  bytes.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    const fade = Math.min(1, i / 800, (samples - i) / 800);
    bytes.writeInt16LE(
      Math.round(8_000 * fade * Math.sin((2 * Math.PI * 440 * i) / rate)),
      44 + i * 2,
    );
  }
  return { fileName: 'q3-plans-voice-note.wav', mimeType: 'audio/wav', bytes };
}

/** The samples in upload order (the list shows them in a stable order), by post author. */
const SAMPLES: Array<{
  author: 'member' | 'admin';
  post: 'published' | 'private';
  file: () => SampleFile | Promise<SampleFile>;
}> = [
  { author: 'member', post: 'published', file: samplePdf },
  { author: 'admin', post: 'private', file: sampleAudio },
  { author: 'member', post: 'published', file: sampleImage },
];

export interface SeedDemoMediaOptions {
  /** Samples seeded by an earlier, interrupted start: not uploaded again. */
  seeded?: DemoAttachment[];
  /** Called after each upload with every sample seeded so far (to record progress). */
  onSeeded?: (attachments: DemoAttachment[]) => Promise<void>;
  /** One line for a sample that is left out. */
  log?: (line: string) => void;
}

/**
 * Uploads the samples: the image and the PDF to the member's published post, the audio clip
 * to the admin's post in the private project, each by its post's author (only authors may
 * upload). Sequential; returns every sample seeded, earlier ones included.
 */
export async function seedDemoMedia(
  deps: UploadDeps,
  demo: DemoSeed,
  { seeded = [], onSeeded, log = console.log }: SeedDemoMediaOptions = {},
): Promise<DemoAttachment[]> {
  const attachments = [...seeded];
  for (const sample of SAMPLES) {
    const file = await sample.file();
    if (attachments.some((done) => done.fileName === file.fileName)) continue;
    if (file.bytes.length > deps.maxUploadBytes) {
      log(
        `demo: ${file.fileName} (${file.bytes.length} bytes) not seeded: over the upload limit (MEDIA_MAX_UPLOAD_BYTES=${deps.maxUploadBytes})`,
      );
      continue;
    }
    const author = demo.users[sample.author];
    const postId = demo.posts[sample.post];
    const { id } = await uploadMedia(
      deps,
      { userId: author.id, workspaceId: demo.workspaceId, role: author.role },
      {
        postId,
        fileName: file.fileName,
        mimeType: file.mimeType,
        fileData: file.bytes.toString('base64'),
      },
    );
    attachments.push({ id, postId, fileName: file.fileName, mimeType: file.mimeType });
    await onSeeded?.(attachments);
  }
  return attachments;
}
