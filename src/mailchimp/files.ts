import { MailchimpError } from './errors.js';
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
  return hostedFile(await http.post<GalleryFile>('/file-manager/files', body));
}

/** A file of the File Manager as it is now (`GET /file-manager/files/{id}`), or undefined when it was deleted. */
export async function getFile(http: MailchimpHttp, id: number): Promise<HostedFile | undefined> {
  try {
    return hostedFile(await http.get<GalleryFile>(`/file-manager/files/${id}`));
  } catch (error) {
    if (error instanceof MailchimpError && error.status === 404) return undefined;
    throw error;
  }
}

function hostedFile(file: GalleryFile): HostedFile {
  return {
    id: file.id,
    name: file.name,
    url: file.full_size_url,
    type: file.type,
    size: file.size,
    ...(file.type === 'image' ? { width: file.width, height: file.height } : {}),
  };
}
