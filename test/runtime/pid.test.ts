import { describe, expect, it } from 'vitest';
import { ActorSystem, LOCAL_ADDRESS, PID, Props, RUNTIME_DEFAULTS } from '../../runtime/index.ts';
import { THREAD_PREFIX, threadOfId } from '../../runtime/pid.ts';

describe('PID', () => {
  it.each([
    ['@3/worker', 3],
    ['@12/parent/child', 12],
    ['@1/$a', 1],
    ['@0/x', 0],
  ])('pid: thread reads %s as thread %i', (id, thread) => {
    expect(new PID('local', id).thread).toBe(thread);
    expect(threadOfId(id)).toBe(thread);
  });

  it.each(['worker', '$1', 'parent/child', '', 'a@3/x'])(
    'pid: an id without a thread prefix (%j) belongs to thread 0',
    (id) => {
      expect(new PID('local', id).thread).toBe(0);
    },
  );

  it.each(['@x/worker', '@/worker', '@3', '@', '@1.5/x'])(
    'pid: a malformed thread prefix (%j) falls back to thread 0',
    (id) => {
      expect(new PID('local', id).thread).toBe(0);
    },
  );

  it('pid: a thread prefix that is not plain decimal digits is not read as a thread', () => {
    const ids = ['@-1/x', '@0x10/x', '@1e1/x', '@ 3/x', '@+2/x'];
    const threads = Object.fromEntries(ids.map((id) => [id, new PID('local', id).thread]));
    expect(threads).toEqual(Object.fromEntries(ids.map((id) => [id, 0])));
  });

  it("pid: the thread prefix is '@'", () => {
    expect(THREAD_PREFIX).toBe('@');
  });

  it('pid: equals compares address and id, nothing else', () => {
    const a = new PID('host:1', 'x');
    expect(a.equals(new PID('host:1', 'x'))).toBe(true);
    expect(a.equals(a)).toBe(true);
    expect(a.equals(new PID('host:2', 'x'))).toBe(false);
    expect(a.equals(new PID('host:1', 'y'))).toBe(false);
    expect(a.equals(undefined)).toBe(false);
    const resolved = new PID('host:1', 'x');
    resolved.process = { dead: false, sendUser() {}, sendSystem() {}, sendStop() {} };
    expect(a.equals(resolved)).toBe(true);
  });

  it('pid: toString is address/id', () => {
    expect(new PID('10.0.0.1:8090', '@2/orders/$3').toString()).toBe('10.0.0.1:8090/@2/orders/$3');
    expect(String(new PID(LOCAL_ADDRESS, 'x'))).toBe('local/x');
  });

  it('pid: toJSON has only address and id, never the cached process', () => {
    const system = new ActorSystem();
    const pid = system.root.spawn(Props.fromFunc(() => {}));
    expect(pid.process).toBeDefined();
    expect(pid.toJSON()).toEqual({ address: LOCAL_ADDRESS, id: pid.id });
    expect(JSON.parse(JSON.stringify({ pid })) as unknown).toEqual({
      pid: { address: LOCAL_ADDRESS, id: pid.id },
    });
    return system.shutdown();
  });

  it('pid: a new PID has no cached process', () => {
    expect(new PID('local', 'x').process).toBeUndefined();
  });

  it("pid: LOCAL_ADDRESS is 'local' and is what a system without remoting stamps on PIDs", async () => {
    expect(LOCAL_ADDRESS).toBe('local');
    expect(RUNTIME_DEFAULTS.address).toBe(LOCAL_ADDRESS);
    const system = new ActorSystem();
    expect(system.address).toBe(LOCAL_ADDRESS);
    expect(system.root.spawn(Props.fromFunc(() => {})).address).toBe(LOCAL_ADDRESS);
    await system.shutdown();
  });
});
