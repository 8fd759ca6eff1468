// Validates Kubernetes manifests against the API schemas compiled into kubernetes-models, without a cluster.
//   node deploy/validate/validate.mjs                  every resource listed in deploy/kustomization.yaml
//   node deploy/validate/validate.mjs a.yaml b.yaml    the given files
// Exit 0 when every document is valid; 1 with one line per problem otherwise.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const deployDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function manifestFiles(args) {
  if (args.length > 0) return args.map((a) => resolve(a));
  const kustomization = parseAllDocuments(readFileSync(join(deployDir, "kustomization.yaml"), "utf8"))[0].toJS();
  return kustomization.resources.map((r) => join(deployDir, r));
}

// The compiled schema validators read each property they know; a key that is never read nor enumerated
// (maps such as labels are enumerated) is a field the schema does not have, e.g. a misspelt `readinesProbe`.
function track(value, path, entries) {
  if (value === null || typeof value !== "object") return value;
  const entry = { path, unread: new Set(Array.isArray(value) ? [] : Object.keys(value)), enumerated: false };
  entries.push(entry);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return child;
      entry.unread.delete(key);
      if (child === null || typeof child !== "object") return child;
      if (!children.has(key)) children.set(key, track(child, `${path}/${key}`, entries));
      return children.get(key);
    },
    has(target, key) {
      if (typeof key === "string") entry.unread.delete(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      entry.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

async function modelFor(apiVersion, kind) {
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind];
  } catch {
    return undefined;
  }
}

async function validateDocument(doc) {
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== "string" || typeof kind !== "string")
    return [`missing apiVersion or kind (apiVersion=${apiVersion}, kind=${kind})`];
  const Model = await modelFor(apiVersion, kind);
  if (!Model) return [`no schema for ${apiVersion} ${kind}`];
  const entries = [];
  try {
    Model.prototype.validate.call(track(new Model(doc), "", entries));
  } catch (error) {
    return [String(error.message ?? error).replaceAll("\n", "; ")];
  }
  return entries
    .filter((e) => !e.enumerated && e.unread.size > 0)
    .map((e) => `unknown field(s) at ${e.path || "/"}: ${[...e.unread].join(", ")}`);
}

let problems = 0;
let documents = 0;
for (const file of manifestFiles(process.argv.slice(2))) {
  const name = relative(process.cwd(), file);
  for (const parsed of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (parsed.errors.length > 0) {
      for (const e of parsed.errors) console.log(`FAIL ${name}: YAML: ${e.message}`);
      problems += parsed.errors.length;
      continue;
    }
    const doc = parsed.toJS();
    if (doc === null) continue;
    documents++;
    const label = `${name}: ${doc.kind ?? "?"}/${doc.metadata?.name ?? "?"}`;
    const errors = await validateDocument(doc);
    for (const e of errors) console.log(`FAIL ${label}: ${e}`);
    if (errors.length === 0) console.log(`ok   ${label}`);
    problems += errors.length;
  }
}
console.log(`${documents} document(s), ${problems} problem(s)`);
process.exit(problems === 0 && documents > 0 ? 0 : 1);
