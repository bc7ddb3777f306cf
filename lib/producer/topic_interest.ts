/**
 * The topics the producer keeps metadata for, as Java's `ProducerMetadata`
 * keeps them: each with the time a send last used it and the sends waiting
 * for its metadata. A topic unused for `metadataMaxIdleMs` leaves, unless a
 * send is waiting for it.
 *
 * @module
 */

/** How one topic of interest is used. */
export interface TopicUse {
  /** When a send last used the topic (epoch ms). */
  lastUsedMs: number;
  /** Sends waiting for the topic's metadata now. */
  waiting: number;
}

/** The topics of interest, each with its {@link TopicUse}. */
export class TopicInterest {
  #idleMs: number;
  #topics = new Map<string, TopicUse>();

  /** @param idleMs `metadataMaxIdleMs`: how long an unused topic stays. */
  constructor(idleMs: number) {
    this.#idleMs = idleMs;
  }

  /** How many topics are of interest. */
  get size(): number {
    return this.#topics.size;
  }

  /** The use of `topic`, if it is of interest. */
  get(topic: string): TopicUse | undefined {
    return this.#topics.get(topic);
  }

  /** Makes `topic` of interest if it is not; its use, marked as used at `nowMs`. */
  use(topic: string, nowMs: number): TopicUse {
    let use = this.#topics.get(topic);
    if (use === undefined) this.#topics.set(topic, use = { lastUsedMs: nowMs, waiting: 0 });
    else use.lastUsedMs = Math.max(use.lastUsedMs, nowMs);
    return use;
  }

  /** The topics of interest and their use. */
  entries(): MapIterator<[string, TopicUse]> {
    return this.#topics.entries();
  }

  /** Removes the topics no send waits for and none used for `idleMs`; returns their names. */
  expire(nowMs: number): string[] {
    const expired: string[] = [];
    for (const [topic, use] of this.#topics) {
      if (use.waiting === 0 && nowMs - use.lastUsedMs >= this.#idleMs) expired.push(topic);
    }
    for (const topic of expired) this.#topics.delete(topic);
    return expired;
  }
}
