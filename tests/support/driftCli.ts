// Runs the package's command in this process (fast; the core's caches and the simulator are shared with the
// test) or as a real subprocess of the built JavaScript (dist/cli/main.js, as `npx` runs it).
import { spawn } from "child_process";
import * as path from "path";
import { PassThrough, Readable } from "stream";
import { runCli } from "../../cli/main";
import { clearTokenCache } from "../../provider/openstack";
import { repoRoot } from "./buildDist";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  stream.on("data", (chunk) => (text += chunk.toString()));
  return new Promise((resolve) => stream.on("end", () => resolve(text)));
}

/** `pulumi-openstack-storage <args>` in-process; `stdin` is what is piped in (none: a terminal). */
export async function cliInProcess(
  args: string[],
  options: { stdin?: string; stderrIsTTY?: boolean } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: options.stderrIsTTY ?? false });
  const stdin = Object.assign(Readable.from(options.stdin === undefined ? [] : [options.stdin]), {
    isTTY: options.stdin === undefined,
  });
  const texts = Promise.all([collect(stdout), collect(stderr)]);
  const code = await runCli(args, { stdin, stdout, stderr });
  stdout.end();
  stderr.end();
  const [out, err] = await texts;
  return { code, stdout: out, stderr: err };
}

/** `node dist/cli/main.js <args>` with `env` (replacing this process's environment) and `stdin` piped in. */
export function cliSubprocess(
  args: string[],
  options: { env: NodeJS.ProcessEnv; stdin?: string; cwd?: string },
): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(repoRoot, "dist", "cli", "main.js"), ...args], {
    env: options.env,
    cwd: options.cwd ?? repoRoot,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const texts = Promise.all([collect(child.stdout), collect(child.stderr)]);
  child.stdin.end(options.stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", async (code) => {
      const [stdout, stderr] = await texts;
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Runs `fn` with the OS_* environment replaced by `vars` (the core's token cache cleared), then restores it. */
export async function withOsEnvironment<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.entries(process.env).filter(([key]) => key.startsWith("OS_"));
  for (const [key] of saved) delete process.env[key];
  Object.assign(process.env, vars);
  clearTokenCache();
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(vars)) delete process.env[key];
    Object.assign(process.env, Object.fromEntries(saved));
    clearTokenCache();
  }
}
