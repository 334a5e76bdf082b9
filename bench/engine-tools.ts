import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

/** Starts the benchmark server in its own process; resolves with its base URL. */
export async function startServer(serverPath: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`benchmark server exited (${c})`)));
    child.stdout!.on('data', (d: Buffer) => {
      const m = /PORT=(\d+)/.exec(d.toString());
      if (m) resolve(`http://127.0.0.1:${m[1]}/`);
    });
  });
  return { url, child };
}

/** Peak resident memory (VmHWM) of a live process, in bytes; 0 once it is gone. */
export function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

/** wrk's figures: requests/s and the median latency (ms). */
export function runWrk(url: string, threads: number, connections: number, seconds: number): { rps: number; medianMs: number } {
  const r = spawnSync('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const m = /\s50%\s+([\d.]+)(us|ms|s)\b/.exec(r.stdout);
  if (!m || !Number.isFinite(rps)) throw new Error(`cannot read wrk's output:\n${r.stdout}`);
  const unit = m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1;
  return { rps, medianMs: Number(m[1]) * unit };
}

/** The fallback reference without wrk: one keep-alive connection, sequential requests (median ms). */
export async function nodeClientMedian(url: string, seconds: number): Promise<number> {
  const agent = new Agent({ connections: 1 });
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    const r = await request(url, { dispatcher: agent });
    await r.body.text();
    times.push(performance.now() - t0);
  }
  await agent.close();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
