// The user's script without `await using` (Node 20 cannot parse it): see common.mjs.
import { Producer } from "@kafkats/producer";
import { checks, options, pipeAll, report, sendAll } from "./common.mjs";

const result = checks();
const sender = new Producer(options());
try {
  result.sent = await sendAll(sender);
} finally {
  await sender[Symbol.asyncDispose]();
}
const piper = new Producer(options());
try {
  result.piped = await pipeAll(piper);
} finally {
  await piper[Symbol.asyncDispose]();
}
report(result);
