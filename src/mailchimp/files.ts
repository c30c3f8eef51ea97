import type { MailchimpHttp } from './http.js';

/** A file in Mailchimp's File Manager, hosted by Mailchimp at `url`. */
export interface HostedFile {
  id: number;
  name: string;
  /** `full_size_url`: where an email or report can load it from. */
  url: string;
  type: 'image' | 'file';
  size: number;
  /** Pixels, for an image. */
  width?: number;
  height?: number;
}

interface GalleryFile {
  id: number;
  name: string;
  full_size_url: string;
  type: 'image' | 'file';
  size: number;
  width?: number;
  height?: number;
}

/**
 * Uploads a file (a brand logo) to the File Manager: `POST /file-manager/files` with its name and
 * base64 contents. Not retried: a repeated POST would leave a second copy.
 */
export async function uploadFile(http: MailchimpHttp, file: { name: string; content: Buffer; folderId?: number }): Promise<HostedFile> {
  const body = { name: file.name, file_data: file.content.toString('base64'), ...(file.folderId === undefined ? {} : { folder_id: file.folderId }) };
  const uploaded = await http.post<GalleryFile>('/file-manager/files', body);
  return {
    id: uploaded.id,
    name: uploaded.name,
    url: uploaded.full_size_url,
    type: uploaded.type,
    size: uploaded.size,
    ...(uploaded.type === 'image' ? { width: uploaded.width, height: uploaded.height } : {}),
  };
}
