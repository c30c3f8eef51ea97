import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of every page of a PDF (pdf.js), and the first page's size in points. */
export async function pdfText(pdf: Buffer): Promise<{ pages: string[]; text: string; size: { width: number; height: number } }> {
  const document = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false }).promise;
  const pages: string[] = [];
  for (let number = 1; number <= document.numPages; number += 1) {
    const content = await (await document.getPage(number)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' ').replace(/\s+/g, ' '));
  }
  const [, , width, height] = (await document.getPage(1)).view as [number, number, number, number];
  await document.destroy();
  return { pages, text: pages.join('\n'), size: { width: Math.round(width * 100) / 100, height: Math.round(height * 100) / 100 } };
}

/** The first page of a PDF as a PNG (pdf.js drawing on @napi-rs/canvas), for a look at what clients get. */
export async function renderFirstPage(pdf: Buffer, scale = 1.5): Promise<Buffer> {
  const document = await getDocument({ data: new Uint8Array(pdf) }).promise;
  const page = await document.getPage(1);
  const viewport = page.getViewport({ scale });
  const factory = document.canvasFactory as { create(width: number, height: number): { canvas: { toBuffer(type: 'image/png'): Buffer }; context: unknown } };
  const { canvas, context } = factory.create(viewport.width, viewport.height);
  await page.render({ canvasContext: context as CanvasRenderingContext2D, viewport }).promise;
  const png = canvas.toBuffer('image/png');
  await document.destroy();
  return png;
}
