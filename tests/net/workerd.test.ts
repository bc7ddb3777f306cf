/**
 * The workerd transport over a fake `cloudflare:sockets` `connect`: the
 * options it passes, the TLS upgrade, the refusals and the error mapping
 * (tests/edge/ runs it in the real workerd).
 */
import assert from "node:assert/strict";
import {
  type CloudflareConnect,
  type CloudflareSocket,
  type CloudflareSocketOptions,
  cloudflareSocketsTransport,
  workerdTransport,
} from "../../lib/net/workerd.ts";
import { isWorkerd } from "../../lib/net/runtime.ts";
import { ConfigError, TlsAuthenticationError } from "../../lib/errors.ts";

interface Fake {
  connect: CloudflareConnect;
  calls: { address: { hostname: string; port: number }; options?: CloudflareSocketOptions }[];
  upgrades: ({ expectedServerHostname?: string } | undefined)[];
  closes: number;
}

/** A fake connect whose sockets open (or fail) as told and echo nothing. */
function fake(
  opened: () => Promise<void> = () => Promise.resolve(),
  handshake: () => Promise<void> = () => Promise.resolve(),
  startTlsThrows?: Error,
): Fake {
  const state: Fake = { connect: undefined!, calls: [], upgrades: [], closes: 0 };
  const socket = (open: () => Promise<void>, tls: boolean): CloudflareSocket => {
    const openedPromise = open();
    openedPromise.catch(() => {});
    return {
      readable: new ReadableStream<Uint8Array>({
        start(controller) {
          if (tls) controller.enqueue(new Uint8Array([1, 2, 3]));
        },
      }),
      writable: new WritableStream<Uint8Array>(),
      opened: openedPromise,
      closed: new Promise(() => {}),
      close() {
        state.closes++;
        return Promise.resolve();
      },
      startTls(options) {
        if (startTlsThrows) throw startTlsThrows;
        state.upgrades.push(options);
        return socket(handshake, true);
      },
    };
  };
  state.connect = (address, options) => {
    state.calls.push({ address, options });
    return socket(opened, false);
  };
  return state;
}

Deno.test("workerd transport: plaintext connects with secureTransport off", async () => {
  const f = fake();
  const socket = await cloudflareSocketsTransport(f.connect).connect("broker", 9092);
  assert.deepEqual(f.calls, [{
    address: { hostname: "broker", port: 9092 },
    options: { secureTransport: "off", allowHalfOpen: false },
  }]);
  assert.deepEqual(f.upgrades, []);
  socket.close();
  socket.close();
  assert.equal(f.closes, 1);
});

Deno.test("workerd transport: TLS goes starttls, then startTls for the host or tls.serverName", async () => {
  const f = fake();
  const transport = cloudflareSocketsTransport(f.connect);
  const socket = await transport.connect("10.0.0.1", 9093, { tls: { ca: [] } });
  assert.equal(f.calls[0].options?.secureTransport, "starttls");
  assert.deepEqual(f.upgrades, [undefined]); // verified for the host dialled
  const chunk = await socket.readable.getReader().read();
  assert.deepEqual(chunk.value, new Uint8Array([1, 2, 3])); // the upgraded socket's bytes
  await transport.connect("10.0.0.1", 9093, { tls: { ca: [], serverName: "broker.example" } });
  assert.deepEqual(f.upgrades[1], { expectedServerHostname: "broker.example" });
  await transport.connect("broker.example", 9093, {
    tls: { ca: [], serverName: "broker.example" },
  });
  assert.deepEqual(f.upgrades[2], undefined);
});

Deno.test("workerd transport: tls.ca, tls.cert and tls.key are refused, not ignored", async () => {
  const f = fake();
  const transport = cloudflareSocketsTransport(f.connect);
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  await assert.rejects(
    transport.connect("broker", 9093, { tls: { ca: [pem] } }),
    (e) => e instanceof ConfigError && /tls\.ca cannot be honoured/.test(e.message),
  );
  await assert.rejects(
    transport.connect("broker", 9093, { tls: { ca: [], cert: pem, key: "k" } }),
    (e) => e instanceof ConfigError && /tls\.cert and tls\.key/.test(e.message),
  );
  assert.equal(f.calls.length, 0);
});

Deno.test("workerd transport: a refused connection is not a TLS failure, a refused handshake is", async () => {
  const refused = new Error("proxy request failed, cannot connect to the specified address");
  const f = fake(() => Promise.reject(refused));
  await assert.rejects(
    cloudflareSocketsTransport(f.connect).connect("broker", 9093, { tls: { ca: [] } }),
    (e) => e === refused,
  );
  const g = fake(undefined, () => Promise.reject(new Error("internal error; reference = x")));
  await assert.rejects(
    cloudflareSocketsTransport(g.connect).connect("broker", 9093, { tls: { ca: [] } }),
    (e) =>
      e instanceof TlsAuthenticationError &&
      /TLS handshake with broker:9093 failed: workerd tells only its own log why/.test(e.message),
  );
  assert.equal(g.closes, 2); // the plain socket and the upgraded one
});

Deno.test("workerd transport: a startTls that refuses expectedServerHostname is a ConfigError", async () => {
  const f = fake(
    undefined,
    undefined,
    new TypeError("The expectedServerHostname option is not currently supported in startTls."),
  );
  await assert.rejects(
    cloudflareSocketsTransport(f.connect).connect("10.0.0.1", 9093, {
      tls: { ca: [], serverName: "broker.example" },
    }),
    (e) => e instanceof ConfigError && /tls\.serverName cannot be honoured/.test(e.message),
  );
});

Deno.test("workerd transport: outside workerd it says what to do; runtime.ts does not pick it", async () => {
  assert.equal(isWorkerd(), false);
  await assert.rejects(
    workerdTransport.connect("broker", 9092),
    (e) => e instanceof ConfigError && /nodejs_compat/.test(e.message),
  );
});
