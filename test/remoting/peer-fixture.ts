import { fork, type ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';
import type { RemoteOptions } from '../../remoting/index.ts';

const PEER = new URL('./fixtures/peer-node.ts', import.meta.url);

/** Another node, in its own process, driven over IPC. */
export interface Peer {
  readonly address: string;
  readonly systemId: string;
  readonly child: ChildProcess;
  /** Has the peer request `target` at `address` and resolves with the reply (or rejects). */
  request(address: string, target: string, message: unknown): Promise<unknown>;
  /** Has the peer block a system id. */
  block(systemId: string): Promise<void>;
  /** Orderly stop. */
  exit(): Promise<void>;
  /** SIGKILL, resolving once the process is gone. */
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts a peer node process with these remoting options (plus `threads` for an ActorNode). */
export async function startPeer(options: RemoteOptions & { threads?: number } = {}): Promise<Peer> {
  const child = fork(PEER, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PEER_OPTIONS: JSON.stringify(options), SPINDLE_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  const ready = await new Promise<{ address: string; systemId: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { address: string; systemId: string }));
    child.once('exit', (code) => reject(new Error(`peer exited with ${code} before it was ready`)));
  });
  let next = 0;
  const call = (command: Record<string, unknown>): Promise<unknown> => {
    const id = ++next;
    return new Promise((resolve, reject) => {
      const onMessage = (raw: unknown): void => {
        const reply = raw as {
          id?: number;
          result?: unknown;
          error?: { code?: string; message?: string };
        };
        if (reply.id !== id) return;
        child.off('message', onMessage);
        if (reply.error)
          reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
        else resolve(reply.result);
      };
      child.on('message', onMessage);
      child.send({ ...command, id });
    });
  };
  return {
    address: ready.address,
    systemId: ready.systemId,
    child,
    request: (address, target, message) => call({ op: 'request', address, target, message }),
    block: async (systemId) => {
      await call({ op: 'block', systemId });
    },
    exit: async () => {
      await call({ op: 'exit' });
      await exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
