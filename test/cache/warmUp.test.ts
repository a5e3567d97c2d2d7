// The cache warm-up function (recovery/lambda/cacheWarmUp.mjs) against a local HTTP server: it GETs
// every URL, reads the body, follows a redirect, counts 2xx as warmed, reports the rest without
// throwing, gives up on a URL after its timeout, and refuses an input that is not 1 to 20 http(s) URLs.
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { checkUrls, handler, MAX_URLS, USER_AGENT, warm } from "../../recovery/lambda/cacheWarmUp.mjs";

describe("recovery/lambda/cacheWarmUp", () => {
  let server: Server;
  let base: string;
  const seen: { path: string; agent: string | undefined }[] = [];

  before(async () => {
    server = createServer((request, response) => {
      seen.push({ path: request.url ?? "", agent: request.headers["user-agent"] });
      if (request.url === "/moved") return void response.writeHead(301, { location: "/products" }).end();
      if (request.url === "/broken") return void response.writeHead(503).end("down");
      if (request.url === "/slow") return void setTimeout(() => response.writeHead(200).end("late"), 2000);
      response.writeHead(200, { "content-type": "text/plain" }).end(`page ${request.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("requests every URL, following redirects, as the warm-up user agent, and counts the 2xx answers", async () => {
    seen.length = 0;
    const answer = await handler({ urls: [`${base}/`, `${base}/moved`, `${base}/broken`] });
    expect(answer).to.deep.equal({ requested: 3, warmed: 2, failed: [{ url: `${base}/broken`, status: 503 }] });
    expect(seen.map((request) => request.path).sort()).to.deep.equal(["/", "/broken", "/moved", "/products"]);
    expect(new Set(seen.map((request) => request.agent))).to.deep.equal(new Set([USER_AGENT]));
  });

  it("gives up on a URL after its timeout and on one nothing answers, without throwing", async () => {
    expect(await warm(`${base}/slow`, 200)).to.deep.include({ ok: false });
    const closed = await warm("http://127.0.0.1:1/", 2000);
    expect(closed.ok).to.equal(false);
    expect(closed.error).to.be.a("string");
  });

  it(`refuses anything but 1 to ${MAX_URLS} http(s) URLs, as InvalidArguments`, async () => {
    for (const urls of [undefined, [], ["/relative"], ["ftp://example.com/"], Array.from({ length: MAX_URLS + 1 }, () => `${base}/`)]) {
      expect(() => checkUrls(urls), JSON.stringify(urls))
        .to.throw()
        .with.property("name", "InvalidArguments");
    }
    let thrown: unknown;
    try {
      await handler({ urls: [] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.have.property("name", "InvalidArguments");
  });
});
