import os from 'node:os';

/** An IPv4 address of this machine that is not loopback, to reach a server the way another computer would. */
export function externalIPv4(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
}
