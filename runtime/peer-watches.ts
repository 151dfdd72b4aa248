import { Terminated, type TerminatedReason } from './messages.ts';
import type { PID } from './pid.ts';
import type { ProcessRegistry } from './process-registry.ts';

/** The watchers of one actor that lives on a peer. */
interface Watched {
  readonly target: PID;
  readonly watchers: Map<string, PID>;
}

/**
 * Which local actors watch (or parent) actors that live on a peer: another thread of the node, or
 * another node. The peer keeps the real watcher list; this copy exists so that when the peer dies
 * (a crashed thread, an unreachable node), the local watchers still receive `Terminated`.
 */
export class PeerWatches<Peer> {
  private readonly byPeer = new Map<Peer, Map<string, Watched>>();

  add(peer: Peer, target: PID, watcher: PID): void {
    let targets = this.byPeer.get(peer);
    if (targets === undefined) {
      targets = new Map<string, Watched>();
      this.byPeer.set(peer, targets);
    }
    let watched = targets.get(target.id);
    if (watched === undefined) {
      watched = { target, watchers: new Map<string, PID>() };
      targets.set(target.id, watched);
    }
    watched.watchers.set(watcher.toString(), watcher);
  }

  remove(peer: Peer, target: PID, watcher: PID): void {
    const targets = this.byPeer.get(peer);
    const watched = targets?.get(target.id);
    if (watched === undefined) return;
    watched.watchers.delete(watcher.toString());
    if (watched.watchers.size === 0) targets!.delete(target.id); // found through `targets` above
  }

  /** Number of watched actors on `peer` (on every peer when omitted). */
  size(peer?: Peer): number {
    if (peer !== undefined) return this.byPeer.get(peer)?.size ?? 0;
    let n = 0;
    for (const targets of this.byPeer.values()) n += targets.size;
    return n;
  }

  /**
   * `peer` is gone: every local watcher of one of its actors receives `Terminated` with `why`, and
   * the peer's entries are forgotten. Returns how many notifications were sent.
   */
  peerDied(peer: Peer, why: TerminatedReason, registry: ProcessRegistry): number {
    const targets = this.byPeer.get(peer);
    if (targets === undefined) return 0;
    this.byPeer.delete(peer);
    let sent = 0;
    for (const { target, watchers } of targets.values()) {
      const terminated = new Terminated(target, why);
      for (const watcher of watchers.values()) {
        registry.get(watcher).sendSystem(watcher, terminated);
        sent++;
      }
    }
    return sent;
  }
}
