/**
 * The addresses a cluster's brokers advertise, for putting a chaos proxy in
 * front of every one of them.
 *
 * @module
 */
import { Metadata } from "../../lib/protocol/messages/metadata.ts";
import { adminConnection, BOOTSTRAP } from "./cluster.ts";

/**
 * Every broker address the cluster advertises in Metadata (`host:port`),
 * together with the bootstrap addresses, without duplicates.
 */
export async function brokerAddresses(bootstrap: string = BOOTSTRAP): Promise<string[]> {
  const connection = await adminConnection(bootstrap);
  try {
    const response = await connection.request(Metadata, connection.versionFor(Metadata), {
      topics: [],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    }, 10000);
    const addresses = new Set(bootstrap.split(",").map((a) => a.trim()).filter((a) => a !== ""));
    for (const broker of response.brokers) addresses.add(`${broker.host}:${broker.port}`);
    return [...addresses];
  } finally {
    connection.close();
  }
}
