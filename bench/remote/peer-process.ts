import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The other process of a remoting benchmark: a script forked from the benchmark's child process,
 * which reports the address it listens on and then serves until it is told to stop.
 *
 *   benchmark ──fork──▶ peer          peer ──{ ready, address }──▶ benchmark
 *   benchmark ──{ op: 'exit' }──▶ peer exits (a profile under --cpu-prof is written)
 *   benchmark gone (IPC channel closed) ──▶ peer exits
 *
 * The peer inherits the node flags of the benchmark (`--import tsx`, and `BENCH_NODE_FLAGS` such
 * as `--cpu-prof`), so profiling a module profiles both of its processes. Every live peer is
 * killed when the benchmark process exits, whatever the reason, so none is left behind.
 */
export interface PeerProcess {
  /** `host:port` the peer listens on. */
  readonly address: string;
  readonly child: ChildProcess;
  /** Asks the peer to exit, and kills it if it has not within a few seconds. */
  stop(): Promise<void>;
}

/** What a peer sends once it listens. */
interface Ready {
  readonly ready: true;
  readonly address: string;
}

/** A command the benchmark sends a peer. */
interface Exit {
  readonly op: 'exit';
}

const STOP_GRACE_MS = 5_000;
const START_TIMEOUT_MS = 30_000;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Forks `script` with `env` added to the environment and resolves once it reports its address. */
export async function launchPeer(script: URL, env: Record<string, string>): Promise<PeerProcess> {
  installExitHook();
  const child = fork(fileURLToPath(script), [], {
    execArgv: peerExecArgv(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });
  let address: string;
  try {
    address = await whenReady(child);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return {
    address,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const command: Exit = { op: 'exit' };
      if (child.connected) child.send(command);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Peer side: tells the benchmark where it listens, and exits when told to or orphaned. */
export function servePeer(address: string, onExit: () => Promise<void> = async () => {}): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('a benchmark peer must be started with an IPC channel');
  const leave = (): void => {
    void onExit()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.on('message', (message: Partial<Exit>) => {
    if (message.op === 'exit') leave();
  });
  process.once('disconnect', leave);
  const ready: Ready = { ready: true, address };
  send(ready);
}

/** The benchmark's own node flags, with the TypeScript loader added if it came another way. */
function peerExecArgv(): string[] {
  const flags = [...process.execArgv];
  if (!flags.some((flag) => flag.includes('tsx'))) flags.unshift('--import', 'tsx');
  return flags;
}

function whenReady(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`peer did not report ready in ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const onMessage = (message: Partial<Ready>): void => {
      if (message.ready !== true || typeof message.address !== 'string') return;
      cleanup();
      resolve(message.address);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      reject(new Error(`peer exited with ${signal ?? `code ${code}`} before it was ready`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Kills every peer still running when this process exits (an error, `process.exit`). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}
