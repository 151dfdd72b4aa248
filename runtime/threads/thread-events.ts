/** Published (and bridged to every thread) when a worker thread died and was replaced. */
export class ThreadCrashed {
  constructor(
    /** The slot the thread ran in; its replacement runs in the same slot. */
    readonly slot: number,
    /** The id of the thread that died; PIDs starting with `@<threadId>/` are dead. */
    readonly threadId: number,
    readonly reason: string,
    /**
     * The id of the replacement thread, or -1 when there is none: the node was stopping, or the
     * replacement failed to start (the slot then stays empty and placements skip it).
     */
    readonly replacementId: number,
  ) {}
}
