// Validates Kubernetes manifests for one target Kubernetes version, without a cluster:
//   node deploy/validate/validate.mjs                  deploy/ and deploy/examples/* as kustomize renders them, and deploy/kserve/
//   node deploy/validate/validate.mjs PATH...          the given files, or directories holding a kustomization.yaml
// Built-in kinds are checked against the schemas compiled into kubernetes-models, ServiceMonitor against
// @kubernetes-models/prometheus-operator, InferenceService against KServe's CRD schema (schemas/kserve/). An API that
// the target version no longer serves is an error. Exit 0 when every document is valid; 1 with one line per problem.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import { readYaml, render } from "./kustomize.mjs";

/** The Kubernetes release the manifests are written for: the preStop sleep action is GA there (beta, on, since 1.30). */
export const TargetKubernetes = "1.34";

// API versions removed from Kubernetes by the target release (the deprecation guide), with what replaces them.
const removedApis = [
  ["extensions/v1beta1", ["Deployment", "DaemonSet", "ReplicaSet"], "1.16", "apps/v1"],
  ["extensions/v1beta1", ["NetworkPolicy"], "1.16", "networking.k8s.io/v1"],
  ["apps/v1beta1", ["Deployment", "StatefulSet", "ReplicaSet"], "1.16", "apps/v1"],
  ["apps/v1beta2", ["Deployment", "StatefulSet", "ReplicaSet", "DaemonSet"], "1.16", "apps/v1"],
  ["extensions/v1beta1", ["Ingress"], "1.22", "networking.k8s.io/v1"],
  ["networking.k8s.io/v1beta1", ["Ingress", "IngressClass"], "1.22", "networking.k8s.io/v1"],
  ["policy/v1beta1", ["PodDisruptionBudget"], "1.25", "policy/v1"],
  ["policy/v1beta1", ["PodSecurityPolicy"], "1.25", "Pod Security Admission (namespace labels)"],
  ["batch/v1beta1", ["CronJob"], "1.25", "batch/v1"],
  ["autoscaling/v2beta1", ["HorizontalPodAutoscaler"], "1.25", "autoscaling/v2"],
  ["discovery.k8s.io/v1beta1", ["EndpointSlice"], "1.25", "discovery.k8s.io/v1"],
  ["events.k8s.io/v1beta1", ["Event"], "1.25", "events.k8s.io/v1"],
  ["node.k8s.io/v1beta1", ["RuntimeClass"], "1.25", "node.k8s.io/v1"],
  ["autoscaling/v2beta2", ["HorizontalPodAutoscaler"], "1.26", "autoscaling/v2"],
  ["flowcontrol.apiserver.k8s.io/v1beta1", ["FlowSchema", "PriorityLevelConfiguration"], "1.26", "flowcontrol.apiserver.k8s.io/v1"],
  ["storage.k8s.io/v1beta1", ["CSIStorageCapacity"], "1.27", "storage.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta2", ["FlowSchema", "PriorityLevelConfiguration"], "1.29", "flowcontrol.apiserver.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta3", ["FlowSchema", "PriorityLevelConfiguration"], "1.32", "flowcontrol.apiserver.k8s.io/v1"],
];

const here = dirname(fileURLToPath(import.meta.url));
const deployDir = resolve(here, "..");

const minor = (version) => Number(version.split(".")[1]);

function removedIn(apiVersion, kind) {
  const hit = removedApis.find(([api, kinds, release]) => api === apiVersion && kinds.includes(kind) && minor(release) <= minor(TargetKubernetes));
  return hit && `${apiVersion} ${kind} was removed in Kubernetes ${hit[2]} (target ${TargetKubernetes}); use ${hit[3]}`;
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

const modelPackages = { "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1" };

async function modelFor(apiVersion, kind) {
  try {
    const module = await import(`${modelPackages[apiVersion] ?? `kubernetes-models/${apiVersion}`}/${kind}`);
    return module[kind];
  } catch {
    return undefined;
  }
}

async function validateBuiltIn(doc, Model) {
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

// A CRD's structural schema made strict: an object that lists its properties takes no others, unless it says it keeps
// unknown fields; OpenAPI's int-or-string has no type.
function closed(schema) {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== "object") return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === "enum" || k === "required" ? v : closed(v)]));
  if (copy.type === "object" && copy.properties && copy.additionalProperties === undefined && !copy["x-kubernetes-preserve-unknown-fields"])
    copy.additionalProperties = false;
  return copy;
}

const crdSchemas = {
  "serving.kserve.io/v1beta1 InferenceService": join(here, "schemas", "kserve", "inferenceservice.v1beta1.schema.json"),
};
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const compiled = new Map();

function validateCustom(doc, schemaFile) {
  if (!compiled.has(schemaFile)) compiled.set(schemaFile, ajv.compile(closed(JSON.parse(readFileSync(schemaFile, "utf8")))));
  const validate = compiled.get(schemaFile);
  if (validate(doc)) return [];
  return validate.errors.map((e) =>
    e.keyword === "additionalProperties"
      ? `unknown field(s) at ${e.instancePath || "/"}: ${e.params.additionalProperty}`
      : `${e.instancePath || "/"} ${e.message}`);
}

export async function validateDocument(doc) {
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== "string" || typeof kind !== "string")
    return [`missing apiVersion or kind (apiVersion=${apiVersion}, kind=${kind})`];
  const removed = removedIn(apiVersion, kind);
  if (removed) return [removed];
  const crd = crdSchemas[`${apiVersion} ${kind}`];
  if (crd) return validateCustom(doc, crd);
  const Model = await modelFor(apiVersion, kind);
  if (!Model) return [`no schema for ${apiVersion} ${kind}`];
  return validateBuiltIn(doc, Model);
}

/** [label, documents] for a file, or for a directory as kustomize renders it. */
function sources(args) {
  const paths = args.length > 0
    ? args.map((a) => resolve(a))
    : [
        deployDir,
        ...readdirSync(join(deployDir, "examples")).map((d) => join(deployDir, "examples", d)),
        ...readdirSync(join(deployDir, "kserve")).filter((f) => f.endsWith(".yaml")).map((f) => join(deployDir, "kserve", f)),
      ];
  return paths.map((path) => {
    const label = relative(process.cwd(), path) || ".";
    try {
      return [label, statSync(path).isDirectory() ? render(path).resources : readYaml(path)];
    } catch (error) {
      return [label, error];
    }
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`target Kubernetes ${TargetKubernetes}`);
  let problems = 0;
  let documents = 0;
  for (const [name, docs] of sources(process.argv.slice(2))) {
    if (docs instanceof Error) {
      console.log(`FAIL ${name}: ${docs.message}`);
      problems++;
      continue;
    }
    for (const doc of docs) {
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
}
