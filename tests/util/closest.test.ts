/**
 * lib/util/closest.ts: the known name nearest to a misspelt one (case
 * aside, within a third of its length and at least 2 edits), and the edit
 * distance under it.
 */
import assert from "node:assert/strict";
import { closestName, editDistance } from "../../lib/util/closest.ts";

Deno.test("editDistance counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("", ""), 0);
  assert.equal(editDistance("acks", "acks"), 0);
  assert.equal(editDistance("acks", "ack"), 1);
  assert.equal(editDistance("acks", "acsk"), 2);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
});

Deno.test("closestName: near enough, case aside, or null", () => {
  const known = ["lingerMs", "batchSize", "linger.ms", "acks"];
  assert.equal(closestName("lingerMS", known), "lingerMs");
  assert.equal(closestName("linger.msec", known), "linger.ms");
  assert.equal(closestName("acsk", known), "acks");
  assert.equal(closestName("batchsize", known), "batchSize");
  assert.equal(closestName("zzzzzzzz", known), null);
  assert.equal(closestName("x", []), null);
});
