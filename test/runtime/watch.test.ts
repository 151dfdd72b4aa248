import { describe, expect, it } from 'vitest';
import {
  ManualScheduler,
  PID,
  Props,
  Started,
  Terminated,
  type Context,
} from '../../runtime/index.ts';
import { deferred, isAlive, nameOf, parentProps, recording, settle } from './helpers.ts';
import { systemFixture, type VirtualSystem } from './system-fixture.ts';

const systems = systemFixture();
let v: VirtualSystem;

class WatchCmd {
  constructor(readonly pid: PID) {}
}
class UnwatchCmd {
  constructor(readonly pid: PID) {}
}

/** An actor that watches or unwatches on command and records every Terminated it receives. */
function watcher(received: Terminated[], log: string[] = [], name = 'watcher'): Props {
  return Props.fromFunc(
    recording(log, name, (context) => {
      const message = context.message;
      if (message instanceof WatchCmd) context.watch(message.pid);
      else if (message instanceof UnwatchCmd) context.unwatch(message.pid);
      else if (message instanceof Terminated) received.push(message);
    }),
  );
}

const idle = (): Props => Props.fromFunc(() => {});

describe('watch', () => {
  it("watch: the watcher receives Terminated { who, why: 'Stopped' } when the target stops", () => {
    v = systems.virtual();
    const received: Terminated[] = [];
    const target = v.system.root.spawnNamed(idle(), 'target');
    const w = v.system.root.spawnNamed(watcher(received), 'w');
    v.system.root.send(w, new WatchCmd(target));
    v.scheduler.runUntilIdle();
    expect(received).toEqual([]);
    v.system.root.stop(target);
    v.scheduler.runUntilIdle();
    expect(received).toHaveLength(1);
    expect(received[0]?.who.equals(target)).toBe(true);
    expect(received[0]?.why).toBe('Stopped');
  });

  it('unwatch: a watcher that unwatched is not told when the target stops', () => {
    v = systems.virtual();
    const received: Terminated[] = [];
    const target = v.system.root.spawnNamed(idle(), 'target');
    const w = v.system.root.spawnNamed(watcher(received), 'w');
    v.system.root.send(w, new WatchCmd(target));
    v.system.root.send(w, new UnwatchCmd(target));
    v.scheduler.runUntilIdle();
    v.system.root.stop(target);
    v.scheduler.runUntilIdle();
    expect(received).toEqual([]);
  });

  it("watch: watching an unknown PID delivers Terminated { why: 'NotFound' } at once", () => {
    v = systems.virtual();
    const received: Terminated[] = [];
    const w = v.system.root.spawnNamed(watcher(received), 'w');
    const ghost = new PID(v.system.address, 'never-spawned');
    v.system.root.send(w, new WatchCmd(ghost));
    v.scheduler.runUntilIdle();
    expect(received).toHaveLength(1);
    expect(received[0]?.who.equals(ghost)).toBe(true);
    expect(received[0]?.why).toBe('NotFound');
  });

  it("watch: watching an actor that already stopped delivers Terminated { why: 'NotFound' }", () => {
    v = systems.virtual();
    const received: Terminated[] = [];
    const target = v.system.root.spawnNamed(idle(), 'target');
    v.scheduler.runUntilIdle();
    v.system.root.stop(target);
    v.scheduler.runUntilIdle();
    const w = v.system.root.spawnNamed(watcher(received), 'w');
    v.system.root.send(w, new WatchCmd(target));
    v.scheduler.runUntilIdle();
    expect(received.map((t) => [t.who.id, t.why])).toEqual([['target', 'NotFound']]);
  });

  it('watch: every watcher is told once, however often it asked to watch', () => {
    v = systems.virtual();
    const first: Terminated[] = [];
    const second: Terminated[] = [];
    const target = v.system.root.spawnNamed(idle(), 'target');
    const w1 = v.system.root.spawnNamed(watcher(first), 'w1');
    const w2 = v.system.root.spawnNamed(watcher(second), 'w2');
    v.system.root.send(w1, new WatchCmd(target));
    v.system.root.send(w1, new WatchCmd(target));
    v.system.root.send(w2, new WatchCmd(target));
    v.scheduler.runUntilIdle();
    v.system.root.stop(target);
    v.scheduler.runUntilIdle();
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
  });

  it('watch: a parent that also watches its child hears its Terminated once', () => {
    v = systems.virtual();
    const log: string[] = [];
    const props = Props.fromFunc(
      recording(log, 'p', (context) => {
        if (context.message === Started) context.watch(context.spawnNamed(idle(), 'c'));
      }),
    );
    v.system.root.spawnNamed(props, 'p');
    v.scheduler.runUntilIdle();
    v.system.root.stop(new PID(v.system.address, 'p/c'));
    v.scheduler.runUntilIdle();
    expect(log.filter((entry) => entry.startsWith('p:Terminated'))).toEqual([
      'p:Terminated(p/c,Stopped)',
    ]);
  });

  it('watch: watching a target whose stop is under way still delivers Terminated Stopped', () => {
    v = systems.virtual();
    const received: Terminated[] = [];
    const target = v.system.root.spawnNamed(parentProps([], 't', [['c', idle()]]), 't');
    const w = v.system.root.spawnNamed(watcher(received), 'w');
    v.scheduler.runUntilIdle();
    v.system.root.stop(target);
    v.system.root.send(w, new WatchCmd(target));
    v.scheduler.runUntilIdle();
    expect(received.map((t) => [t.who.id, t.why])).toEqual([['t', 'Stopped']]);
  });

  it('watch: a watcher that arrives while the target waits for its children hears only after it stopped', () => {
    v = systems.virtual();
    const log: string[] = [];
    const received: Terminated[] = [];
    // The child runs on its own scheduler, so the target keeps waiting for it until the test says.
    const childScheduler = new ManualScheduler();
    const slowChild = idle().withScheduler(childScheduler);
    const target = v.system.root.spawnNamed(parentProps(log, 't', [['c', slowChild]]), 't');
    const w = v.system.root.spawnNamed(
      watcher(received, log, 'w').withReceiveMiddleware((next) => (context) => {
        if (context.message instanceof Terminated)
          log.push(`w saw t alive: ${isAlive(v.system, 't')}`);
        return next(context);
      }),
      'w',
    );
    v.scheduler.runUntilIdle();
    childScheduler.runUntilIdle();
    v.system.root.stop(target);
    v.scheduler.runUntilIdle();
    v.system.root.send(w, new WatchCmd(target));
    v.scheduler.runUntilIdle();
    childScheduler.runUntilIdle();
    v.scheduler.runUntilIdle();
    expect(log).toContain('t:Stopped');
    expect(received.map((t) => [t.who.id, t.why])).toEqual([['t', 'Stopped']]);
    expect(log).not.toContain('w saw t alive: true');
    expect(log.indexOf('w:Terminated(t,Stopped)')).toBeGreaterThan(log.indexOf('t:Stopped'));
  });

  it("watch: a Terminated arriving during an async receive leaves that receive's message and sender intact", async () => {
    v = systems.virtual();
    const gate = deferred();
    const afterAwait: { message: string; sender: boolean }[] = [];
    const watched = v.system.root.spawnNamed(idle(), 'watched');
    const actor = Props.fromFunc(async (context: Context) => {
      if (context.message === Started) context.watch(watched);
      if (context.message !== 'work') return;
      await gate.promise;
      afterAwait.push({ message: nameOf(context.message), sender: context.sender !== undefined });
    });
    const pid = v.system.root.spawnNamed(actor, 'a');
    await settle(v.scheduler);
    void v.system.root.request(pid, 'work').catch(() => {});
    await settle(v.scheduler);
    // 'work' is now suspended on the gate when the watched actor stops.
    v.system.root.stop(watched);
    await settle(v.scheduler);
    gate.resolve();
    await settle(v.scheduler);
    expect(afterAwait).toEqual([{ message: 'work', sender: true }]);
  });
});
