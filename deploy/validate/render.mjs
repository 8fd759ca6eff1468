// Prints what `kubectl kustomize DIR` would, for the features deploy/ uses (kustomize.mjs), where no kustomize is installed.
//   node deploy/validate/render.mjs deploy/                YAML documents
//   node deploy/validate/render.mjs deploy/ --json         one JSON array (the tests read this)
import { stringify } from "yaml";
import { render } from "./kustomize.mjs";

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith("--"));
if (!dir) {
  console.error("usage: node render.mjs DIR [--json]");
  process.exit(2);
}
const { resources } = render(dir);
if (args.includes("--json")) console.log(JSON.stringify(resources));
else console.log(resources.map((r) => stringify(r)).join("---\n"));
