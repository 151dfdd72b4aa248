/** Published (and bridged to every thread) when a worker thread died and was replaced. */
export class ThreadCrashed {
  constructor(
    /** The slot the thread ran in; its replacement runs in the same slot. */
    readonly slot: number,
    /** The id of the thread that died; PIDs starting with `@<threadId>/` are dead. */
    readonly threadId: number,
    readonly reason: string,
    /** The id of the replacement thread, or -1 when the node was stopping and did not replace it. */
    readonly replacementId: number,
  ) {}
}
