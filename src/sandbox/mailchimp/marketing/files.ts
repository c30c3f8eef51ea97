import { invalidResource, json, link, notFound, type FieldError, type Handler, type HandlerContext } from '../api.js';
import { mailchimpTime, type HostedFile } from '../state.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * POST /file-manager/files `{name, file_data (base64), folder_id?}` → the Gallery File. The file is then
 * served, without auth, at its `full_size_url` on the sandbox. The sandbox has no folders (only 0) and
 * makes no thumbnails (`thumbnail_url` is the file itself).
 */
export const uploadFile: Handler = (context) => {
  const body = context.body as { name: string; file_data: string; folder_id?: number };
  const errors: FieldError[] = [];
  if (body.name.trim() === '') errors.push({ field: 'name', message: 'This value should not be blank.' });
  const compact = body.file_data.replace(/\s+/g, '');
  if (compact === '' || compact.length % 4 !== 0 || !BASE64.test(compact)) errors.push({ field: 'file_data', message: 'The file data must be base64-encoded and not empty.' });
  if (body.folder_id !== undefined && body.folder_id !== 0) errors.push({ field: 'folder_id', message: `The folder ${body.folder_id} does not exist.` });
  if (errors.length > 0) return invalidResource(errors);
  const data = Buffer.from(compact, 'base64');
  const image = imageInfo(data);
  context.state.sequence += 1;
  const file: HostedFile = {
    id: 20_000 + context.state.sequence,
    folder_id: 0,
    type: image ? 'image' : 'file',
    name: body.name.trim(),
    size: data.length,
    width: image?.width ?? 0,
    height: image?.height ?? 0,
    content_type: image?.contentType ?? 'application/octet-stream',
    data: compact,
    created_at: mailchimpTime(context.clock.now()),
  };
  context.state.files.push(file);
  context.changed();
  return json(fileView(file, context));
};

export const getFile: Handler = (context) => {
  const file = context.state.files.find((candidate) => String(candidate.id) === context.params.fileId);
  return file ? json(fileView(file, context)) : notFound();
};

/** The public address of a hosted file. */
export function hostedPath(file: Pick<HostedFile, 'id' | 'name'>): string {
  return `/files/${file.id}/${encodeURIComponent(file.name)}`;
}

function fileView(file: HostedFile, context: Pick<HandlerContext, 'site'>): Record<string, unknown> {
  const url = `${context.site.origin}${hostedPath(file)}`;
  return {
    id: file.id,
    folder_id: file.folder_id,
    type: file.type,
    name: file.name,
    full_size_url: url,
    thumbnail_url: url,
    size: file.size,
    created_at: file.created_at,
    created_by: 'IntegoReport Sandbox',
    width: file.width,
    height: file.height,
    _links: [link('self', `${context.site.apiRoot}/file-manager/files/${file.id}`, 'GET')],
  };
}

/** PNG, GIF and JPEG: the pixel size from the header, as Mailchimp reports `width` and `height` of an image. */
function imageInfo(data: Buffer): { contentType: string; width: number; height: number } | undefined {
  if (data.length >= 24 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { contentType: 'image/png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (data.length >= 10 && data.subarray(0, 4).toString('latin1') === 'GIF8') {
    return { contentType: 'image/gif', width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame marker (C0–CF, except C4, C8 and CC).
    for (let offset = 2; offset + 9 < data.length; ) {
      if (data[offset] !== 0xff) return undefined;
      const marker = data[offset + 1]!;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { contentType: 'image/jpeg', height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
      }
      offset += 2 + data.readUInt16BE(offset + 2);
    }
  }
  return undefined;
}
