/**
 * A child's whole process tree from `/proc` (Linux): its pids, their summed
 * resident set size, and killing them. The orchestrator measures every
 * client's tree RSS this way, whatever the client runs under (a shell that
 * starts a JVM, a Node.js process, a Go binary, Deno or Bun), beside GNU
 * time's peak of the largest single process (gnu_time.ts).
 *
 * @module
 */

const PAGE_SIZE = 4096;

/** The pids of `root` and all its descendants, parents before children. */
export function treePids(root: number): number[] {
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    let tasks: string[];
    try {
      tasks = [...Deno.readDirSync(`/proc/${pid}/task`)].map((e) => e.name);
    } catch {
      continue; // exited
    }
    for (const tid of tasks) {
      let children = "";
      try {
        children = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/children`);
      } catch {
        continue;
      }
      for (const c of children.split(" ")) if (c.trim() !== "") queue.push(Number(c));
    }
  }
  return out;
}

/** Resident bytes of one process (0 once it has exited). */
export function rssOf(pid: number): number {
  try {
    const statm = Deno.readTextFileSync(`/proc/${pid}/statm`);
    return Number(statm.split(" ")[1]) * PAGE_SIZE;
  } catch {
    return 0;
  }
}

/**
 * Summed resident bytes of `root`'s tree (without `root`'s own when
 * `skipRoot`, e.g. a /usr/bin/time wrapper), and the pids it found.
 */
export function treeRss(root: number, skipRoot = false): { bytes: number; pids: number[] } {
  const pids = treePids(root);
  let bytes = 0;
  for (const pid of pids) if (!skipRoot || pid !== root) bytes += rssOf(pid);
  return { bytes, pids };
}

/** SIGKILLs every pid given, children first; pids that already exited are skipped. */
export function killPids(pids: readonly number[]): void {
  for (let i = pids.length - 1; i >= 0; i--) {
    try {
      Deno.kill(pids[i], "SIGKILL");
    } catch {
      // already gone
    }
  }
}
