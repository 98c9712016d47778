// The module Pulumi's provider host evaluates `__provider` texts with (it ships no types).
declare module "require-from-string" {
  function requireFromString(code: string, filename?: string): any;
  export = requireFromString;
}
