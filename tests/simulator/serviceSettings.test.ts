// config.services.manila / config.services.nova: checked when a config file is loaded, naming the property.
import { strict as assert } from "assert";
import { checkConfig } from "../../simulator/core/config";

describe("simulator: Manila and Nova settings in the config file", () => {
  it("accepts every documented setting", () => {
    checkConfig({
      services: {
        manila: {
          backends: [{ host: "simhost@alpha", up: true, dhss: true, supportsUnmanage: false }],
          availabilityZones: ["nova", "zone-b"],
          backendShareServers: [
            { host: "simhost@alpha", identifier: "be-1", backendDetails: { ip: "x" }, onManage: "stick" },
          ],
          policyDenied: ["share:get"],
        },
        nova: {
          sharesSupport: "not-configured",
          sharedFsStorageIp: "192.0.2.10",
          shareApplyPolicyTimeout: 3,
          volumeAttachOutcome: "fail",
          policyDenied: [],
        },
      },
    });
  });

  it("names the property of a wrong setting", () => {
    const cases: [unknown, RegExp][] = [
      [
        { manila: { backends: [{}] } },
        /sim\.yaml: services\.manila\.backends\[0\]\.host must be a non-empty string$/,
      ],
      [
        { manila: { backendShareServers: [{ host: "h", identifier: "i", onManage: "maybe" }] } },
        /backendShareServers\[0\]\.onManage must be active, error or stick/,
      ],
      [{ manila: { backends: [{ host: "h", up: "yes" }] } }, /backends\[0\]\.up must be true or false/],
      [{ manila: { backendServers: [] } }, /services\.manila\.backendServers is not a Manila setting/],
      [{ manila: [] }, /services\.manila must be a mapping/],
      [
        { nova: { sharesSupport: "yes" } },
        /services\.nova\.sharesSupport must be supported, not-supported or not-configured/,
      ],
      [
        { nova: { shareApplyPolicyTimeout: 0 } },
        /services\.nova\.shareApplyPolicyTimeout must be a positive integer/,
      ],
      [{ nova: { volumeAttachOutcom: "fail" } }, /services\.nova\.volumeAttachOutcom is not a Nova setting/],
    ];
    for (const [services, message] of cases)
      assert.throws(() => checkConfig({ services }, "sim.yaml"), message);
  });
});
