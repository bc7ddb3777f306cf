// The user's script with `await using` (Node 24, Bun): see common.mjs.
import { Producer } from "@kafkats/producer";
import { checks, options, pipeAll, report, sendAll } from "./common.mjs";

const result = checks();
{
  await using producer = new Producer(options());
  result.sent = await sendAll(producer);
}
{
  await using producer = new Producer(options());
  result.piped = await pipeAll(producer);
}
report(result);
