// `--config FILE`: the `openstack:*` keys of a Pulumi stack config, in plain text, because a stack export
// holds no config and `secure:` stack values cannot be decrypted without the Pulumi CLI. The file is YAML
// (or JSON): either a flat map of keys, or a stack settings file (Pulumi.<stack>.yaml) with a `config:` map.
import * as fs from "fs";
import { parse } from "yaml";
import { CREDENTIAL_KEYS, StackConfig } from "../../provider/openstack";

/** The credential keys a stack config may hold, with the `openstack:` prefix. */
const KNOWN_KEYS = new Set(CREDENTIAL_KEYS.flatMap(([, names]) => names.stack).map((k) => `openstack:${k}`));

export interface LoadedConfig {
  config: StackConfig;
  /** `openstack:*` keys that are not credential keys and were ignored, for a warning. */
  ignored: string[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Reads and checks a config file; throws an Error naming the file and the key that is wrong. */
export function loadConfigFile(file: string): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`--config ${file}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`--config ${file}: not valid YAML or JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  const map = isObject(doc) && isObject(doc.config) ? doc.config : doc;
  if (!isObject(map)) {
    throw new Error(
      `--config ${file}: expected a map of stack config keys such as "openstack:authUrl" (or a Pulumi.<stack>.yaml ` +
        "with a config: map)",
    );
  }
  const config: StackConfig = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (!key.startsWith("openstack:")) continue; // other packages' keys, as in a Pulumi.<stack>.yaml
    if (!KNOWN_KEYS.has(key)) {
      ignored.push(key);
      continue;
    }
    if (isObject(value) && "secure" in value) {
      throw new Error(
        `--config ${file}: ${key} is encrypted (secure:), and stack secrets cannot be decrypted without the Pulumi ` +
          "CLI. Give the value in plain text in a file kept out of version control, or use clouds.yaml " +
          "(secure.yaml) or the OS_* environment variables instead",
      );
    }
    config[key] = value;
  }
  return { config, ignored };
}
