import path from 'node:path';

/** Where the sandbox keeps its world and its Mailchimp state: `DATA_DIR/sandbox`. */
export function sandboxDir(dataDir: string): string {
  return path.join(dataDir, 'sandbox');
}

export function sandboxFiles(dataDir: string): { world: string; mailchimp: string } {
  const dir = sandboxDir(dataDir);
  return { world: path.join(dir, 'world.json'), mailchimp: path.join(dir, 'mailchimp.json') };
}
