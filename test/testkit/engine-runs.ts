/**
 * Helpers for the engine's tests: run the embedded CLI as a child process, and a loopback HTTP
 * server on 127.0.0.1 (port 0) that the tests start and stop themselves.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { WebSocketServer } from 'ws';
import { launchArgs } from './launch.ts';
import { Writable } from 'node:stream';
import { readCommandLine } from '../../engine/cli.ts';
import { runK6, type EngineIo } from '../../engine/engine.ts';

export interface EngineRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `k6 run <args>` on the embedded engine; kills it after `timeoutMs`. */
export function runEngine(args: string[], cwd: string, timeoutMs = 40_000): Promise<EngineRun> {
  const child = spawn(process.execPath, launchArgs('engine/cli.ts', ...args), {
    cwd,
    env: { ...process.env, K6_CSV_TIME_FORMAT: 'unix_milli' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine did not exit in time\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The same `k6 <args>` run in this process (readCommandLine, then runK6 with captured streams):
 * no process start, for tests of what a script does, not of the process (exit, signals).
 */
export async function runEngineInProcess(args: string[], cwd: string): Promise<EngineRun> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        add(String(chunk));
        done();
      },
    });
  const code = await runK6CommandLine(args, {
    cwd,
    env: { ...process.env, K6_CSV_TIME_FORMAT: 'unix_milli' },
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

/** `k6 <args>` on the embedded engine in this process, writing to `io`'s streams: k6's exit code. */
export async function runK6CommandLine(args: readonly string[], io: EngineIo): Promise<number> {
  const line = readCommandLine(args);
  if ('run' in line) return runK6(line.run, io);
  if (line.stdout) io.stdout.write(line.stdout);
  if (line.stderr) io.stderr.write(line.stderr);
  return line.code;
}

export type CsvRow = Record<string, string>;
export const csvRows = (text: string): CsvRow[] => parse(text, { columns: true }) as CsvRow[];

export interface Loopback {
  base: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 with the handler; resolves once it listens. */
export async function loopback(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Loopback> {
  const server = createServer(handler);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

/**
 * The WebSocket server real k6 was recorded against (`__fixtures__/k6-websockets/server.cjs`), on
 * 127.0.0.1 port 0: `/echo` echoes text and binary frames; `/session` greets with {"op":"hello"},
 * then answers each {"op":"rerun","id":n} after `delayMs` with {"op":"delta"} and {"op":"done"}.
 */
export async function wsLoopback(delayMs = 30): Promise<Loopback & { ws: string }> {
  const lb = await loopback((_req, res) => res.end('ok'));
  const wss = new WebSocketServer({ server: lb.server });
  wss.on('connection', (sock, req) => {
    if (req.url?.startsWith('/echo')) {
      sock.on('message', (d: Buffer, bin: boolean) => sock.send(bin ? d : d.toString()));
      return;
    }
    sock.send(JSON.stringify({ op: 'hello' }));
    sock.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString()) as { id: number };
      setTimeout(() => {
        sock.send(JSON.stringify({ op: 'delta', id: m.id }));
        sock.send(JSON.stringify({ op: 'done', id: m.id }));
      }, delayMs);
    });
  });
  return {
    ...lb,
    ws: lb.base.replace('http://', 'ws://'),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await lb.close();
    },
  };
}
