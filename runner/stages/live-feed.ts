import { spawnSync } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { UserError } from '../../formats/errors.ts';

/**
 * A named pipe that an engine writes a second `--out csv=` into, so the runner sees samples as
 * they are produced, with either engine, without tailing a gzip file. Opened read-write and
 * non-blocking: it neither waits for the engine to open it nor sees end-of-file between writes.
 */
export interface LiveFeed {
  readonly path: string;
  /** Reads what is left in the pipe, then stops reading and removes it. */
  close(): Promise<void>;
}

export function openLiveFeed(path: string, onChunk: (chunk: Buffer) => void): LiveFeed {
  const made = spawnSync('mkfifo', ['-m', '600', path]);
  if (made.status !== 0) {
    throw new UserError(`cannot create the live-progress pipe (${made.stderr?.toString().trim() || made.error?.message})`, { file: path });
  }
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.on('data', onChunk);
  socket.on('error', () => {});
  return {
    path,
    async close() {
      // Let data already in the pipe arrive before closing: the engine has exited, so nothing more comes.
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await rm(path, { force: true });
    },
  };
}
