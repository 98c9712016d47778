import { strict as assert } from "assert";
import {
  clearVersionCache,
  connect,
  isBadRequest,
  isBusyConflict,
  isConflict,
  isConnectionError,
  isForbidden,
  isNotFound,
  OpenStackError,
  parseErrorBody,
} from "../../../provider/openstack";
import { FakeServer, noauthCredentials, startServer } from "./fakeServer";

describe("openstack/errors", () => {
  describe("parseErrorBody", () => {
    it("reads the Nova/Cinder/Manila fault wrapper", () => {
      assert.deepEqual(
        parseErrorBody(
          JSON.stringify({ itemNotFound: { code: 404, message: "Share 3cdf could not be found." } }),
          "application/json",
          404,
        ),
        {
          faultName: "itemNotFound",
          message: "Share 3cdf could not be found.",
          retryAfterSeconds: undefined,
        },
      );
      assert.deepEqual(
        parseErrorBody(
          JSON.stringify({ overLimit: { code: 413, message: "Over limit", retryAfter: "7" } }),
          "application/json",
          413,
        ),
        { faultName: "overLimit", message: "Over limit", retryAfterSeconds: 7 },
      );
      assert.equal(
        parseErrorBody(
          JSON.stringify({ computeFault: { code: 500, message: "Unexpected API Error." } }),
          "application/json",
          500,
        ).faultName,
        "computeFault",
      );
    });

    it("reads Keystone's error shape", () => {
      const body = {
        error: {
          code: 401,
          title: "Unauthorized",
          message: "The request you have made requires authentication.",
        },
      };
      assert.deepEqual(parseErrorBody(JSON.stringify(body), "application/json", 401), {
        faultName: "Unauthorized",
        message: "The request you have made requires authentication.",
      });
    });

    it("reads other JSON shapes", () => {
      assert.equal(
        parseErrorBody('{"message": "flat message"}', "application/json", 400).message,
        "flat message",
      );
      assert.deepEqual(
        parseErrorBody(
          '{"errors": [{"title": "Conflict", "detail": "generation mismatch"}]}',
          "application/json",
          409,
        ),
        {
          faultName: "Conflict",
          message: "generation mismatch",
        },
      );
      assert.equal(parseErrorBody('{"odd": 1}', "application/json", 400).message, '{"odd":1}');
      // says JSON, is not JSON: the text is the message
      assert.equal(parseErrorBody("oops {", "application/json", 500).message, "oops {");
    });

    it("reads HTML pages (webob, proxies)", () => {
      const html =
        "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  The resource could not be found.<br /><br />\n\n\n\n </body>\n</html>";
      assert.equal(
        parseErrorBody(html, "text/html; charset=UTF-8", 404).message,
        "404 Not Found The resource could not be found.",
      );
      const proxy =
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>b{}</style></head><body><center><h1>Bad Gateway</h1></center></body></html>";
      assert.equal(parseErrorBody(proxy, undefined, 502).message, "502 Bad Gateway Bad Gateway");
    });

    it("reads plain text and empty bodies", () => {
      assert.equal(
        parseErrorBody("404 Not Found\n\nThe resource could not be found.\n\n   ", "text/plain", 404).message,
        "404 Not Found The resource could not be found.",
      );
      assert.equal(parseErrorBody("", undefined, 503).message, "Service Unavailable");
      assert.equal(parseErrorBody(undefined, undefined, 404).message, "Not Found");
      assert.ok(parseErrorBody("x".repeat(5000), "text/plain", 500).message.length < 600);
    });
  });

  describe("OpenStackError from real responses", () => {
    let server: FakeServer;
    const credentials = () =>
      noauthCredentials({ compute: `${server.url}/v2.1`, "shared-file-system": `${server.url}/v2/p` });
    beforeEach(async () => {
      clearVersionCache();
      server = await startServer();
    });
    afterEach(() => server.close());

    it("says what was being done, to which path, the status, the service's message and the request id", async () => {
      server.route("POST", "/v2.1/servers/srv-1/shares", {
        status: 409,
        headers: { "x-openstack-request-id": "req-abc-123", "content-type": "application/json" },
        body: {
          conflictingRequest: {
            code: 409,
            message: "Cannot 'create share' instance srv-1 while it is in vm_state active",
          },
        },
      });
      const s = connect({ credentials: credentials() });
      const err: OpenStackError = await s
        .request("compute", "POST", "/servers/srv-1/shares", {
          body: { share: { share_id: "sh-1" } },
          microversion: "2.97",
          action: "attaching share sh-1 to server srv-1",
        })
        .then(
          () => assert.fail("expected a failure"),
          (e) => e,
        );
      assert.ok(err instanceof OpenStackError);
      assert.equal(
        err.message,
        "attaching share sh-1 to server srv-1: compute POST /v2.1/servers/srv-1/shares returned 409 conflictingRequest: " +
          "Cannot 'create share' instance srv-1 while it is in vm_state active (microversion 2.97, request id req-abc-123)",
      );
      assert.equal(err.service, "compute");
      assert.equal(err.method, "POST");
      assert.equal(err.path, "/v2.1/servers/srv-1/shares");
      assert.equal(err.status, 409);
      assert.equal(err.faultName, "conflictingRequest");
      assert.equal(err.requestId, "req-abc-123");
      assert.equal(err.microversion, "2.97");
      assert.ok(isConflict(err));
      assert.ok(!isBusyConflict(err)); // a vm_state conflict is final
      assert.ok(!isNotFound(err) && !isBadRequest(err) && !isForbidden(err) && !isConnectionError(err));
    });

    it("takes the request id from x-compute-request-id too, and keeps status-only messages readable", async () => {
      server.route("GET", "/v2/p/share-servers/x", {
        status: 403,
        headers: { "x-compute-request-id": "req-c-1" },
        body: "",
      });
      const err = await connect({ credentials: credentials() })
        .request("shared-file-system", "GET", "/share-servers/x")
        .catch((e) => e);
      assert.ok(isForbidden(err));
      assert.equal(
        err.message,
        "shared-file-system GET /v2/p/share-servers/x returned 403: Forbidden (request id req-c-1)",
      );
    });

    it("recognises busy conflicts by their message", () => {
      const make = (message: string, status = 409) =>
        new OpenStackError({
          service: "compute",
          method: "POST",
          path: "/x",
          status,
          serviceMessage: message,
        });
      assert.ok(
        isBusyConflict(make("Cannot 'attach_volume' instance X while it is in task_state powering-off")),
      );
      assert.ok(isBusyConflict(make("Another operation is in progress on share server Y")));
      assert.ok(!isBusyConflict(make("Cannot 'create share' instance X while it is in vm_state active")));
      assert.ok(!isBusyConflict(make("Share 'S' or tag 'T' already associated to this server.")));
      assert.ok(!isBusyConflict(make("task_state powering-off", 400)));
    });
  });
});
