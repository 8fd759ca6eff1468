// What `kubectl kustomize <dir>` prints, for the kustomization features deploy/ uses, so the manifests can be checked
// where no kustomize binary is installed (Debian 12 packages none recent enough for components). Supported:
// resources (files and directories), components, configMapGenerator (literals, envs; kustomize's hash suffix and the
// rename of the references to it), labels (metadata only), images, and strategic-merge patches by file. Anything
// else in a kustomization is refused by name rather than silently ignored.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

const supported = {
  Kustomization: new Set(["apiVersion", "kind", "resources", "components", "configMapGenerator", "labels", "images", "patches"]),
  Component: new Set(["apiVersion", "kind", "resources", "configMapGenerator", "labels", "images", "patches"]),
};

export function readYaml(file) {
  const docs = [];
  for (const parsed of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (parsed.errors.length > 0) throw new Error(`${file}: YAML: ${parsed.errors.map((e) => e.message).join("; ")}`);
    const doc = parsed.toJS();
    if (doc !== null) docs.push(doc);
  }
  return docs;
}

function kustomizationIn(dir) {
  const file = ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const [k] = readYaml(file);
  const allowed = supported[k.kind ?? "Kustomization"];
  if (!allowed) throw new Error(`${file}: kind ${k.kind} is not a Kustomization or Component`);
  const unsupported = Object.keys(k).filter((key) => !allowed.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: ${unsupported.join(", ")} not supported by this renderer`);
  return { file, k };
}

/**
 * The resources `kubectl kustomize dir` produces (in the order of the kustomization, not kustomize's sort by kind),
 * and the generated ConfigMaps' names (name -> name with hash). As kustomize does: resources, then components, then the
 * kustomization's own generators and transformers over all of them.
 */
export function render(dir) {
  const root = resolve(dir);
  const { file, k } = kustomizationIn(root);
  const result = { resources: [], generated: new Map() };
  for (const entry of k.resources ?? []) {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) {
      const child = render(path);
      result.resources.push(...child.resources);
      for (const [from, to] of child.generated) result.generated.set(from, to);
    } else {
      result.resources.push(...readYaml(path));
    }
  }
  for (const component of k.components ?? []) {
    const componentRoot = join(root, component);
    const { file: componentFile, k: c } = kustomizationIn(componentRoot);
    if (c.kind !== "Component") throw new Error(`${componentFile}: a component must be kind Component`);
    result.resources.push(...(c.resources ?? []).flatMap((r) => readYaml(join(componentRoot, r))));
    transform(c, componentFile, componentRoot, result);
  }
  transform(k, file, root, result);
  return result;
}

function transform(k, file, root, result) {
  for (const generator of k.configMapGenerator ?? []) {
    const configMap = generateConfigMap(generator, root, file);
    result.generated.set(generator.name, configMap.metadata.name);
    result.resources.push(configMap);
  }
  for (const patch of k.patches ?? []) {
    if (!patch.path || patch.target || patch.patch || patch.options)
      throw new Error(`${file}: only patches with a path (strategic merge, target from the patch) are supported`);
    for (const p of readYaml(join(root, patch.path))) {
      const at = result.resources.findIndex((r) => r.kind === p.kind && r.metadata?.name === p.metadata?.name);
      if (at < 0) throw new Error(`${file}: patch ${patch.path} targets ${p.kind}/${p.metadata?.name}, which is not a resource`);
      result.resources[at] = strategicMerge(result.resources[at], p, "");
    }
  }
  for (const set of k.labels ?? []) {
    if (set.includeSelectors || set.includeTemplates || set.fields)
      throw new Error(`${file}: labels only with includeSelectors: false (metadata labels) are supported`);
    for (const r of result.resources) r.metadata.labels = { ...(r.metadata.labels ?? {}), ...set.pairs };
  }
  for (const image of k.images ?? []) for (const r of result.resources) setImage(r, image);
  for (const r of result.resources) renameConfigMapReferences(r, result.generated);
}

// kustomize's hash (api/hasher): sha256 of the JSON of data, kind and name with sorted keys, its first 10 hex digits,
// with the characters that could spell words (0 1 3 a e) replaced. kustomize 5 looks the name up as one field called
// "metadata/name", finds none and hashes "": so the hash depends on the data only.
export function configMapHash(data) {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const json = goJson({ data: sorted, kind: "ConfigMap", name: "" });
  const hex = createHash("sha256").update(json).digest("hex");
  const swap = { 0: "g", 1: "h", 3: "k", a: "m", e: "t" };
  return [...hex.slice(0, 10)].map((c) => swap[c] ?? c).join("");
}

// Go's json.Marshal escapes <, > and & (HTML-safe) where JSON.stringify does not.
function goJson(value) {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function generateConfigMap(generator, root, file) {
  const data = {};
  const unsupported = Object.keys(generator).filter((key) => !["name", "literals", "envs"].includes(key));
  if (unsupported.length > 0) throw new Error(`${file}: configMapGenerator ${unsupported.join(", ")} not supported`);
  const pairs = [...(generator.literals ?? [])];
  for (const env of generator.envs ?? [])
    pairs.push(...readFileSync(join(root, env), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")));
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new Error(`${file}: configMapGenerator ${generator.name}: '${pair}' is not KEY=value`);
    data[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `${generator.name}-${configMapHash(data)}` },
    data,
  };
}

// The strategic-merge keys of the lists deploy/ patches; any other list is replaced, as for lists without a key.
const mergeKeys = {
  containers: "name",
  initContainers: "name",
  volumes: "name",
  env: "name",
  volumeMounts: "mountPath",
  ports: "containerPort",
};

function strategicMerge(target, patch, path) {
  if (Array.isArray(patch)) {
    const key = mergeKeys[path.split("/").pop()];
    if (!key || !Array.isArray(target)) return structuredClone(patch);
    // As kustomize orders them: the patch's items (merged into the target's of the same key), then the target's others.
    const patched = patch.map((item) => {
      const match = target.find((t) => t[key] === item[key]);
      return match ? strategicMerge(match, item, path) : structuredClone(item);
    });
    return [...patched, ...target.filter((t) => !patch.some((item) => item[key] === t[key])).map((t) => structuredClone(t))];
  }
  if (patch === null || typeof patch !== "object") return patch;
  const base = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) throw new Error(`patch directive ${key} at ${path} is not supported`);
    base[key] = strategicMerge(base[key], value, `${path}/${key}`);
  }
  return base;
}

function podSpecOf(resource) {
  return resource.spec?.template?.spec;
}

function setImage(resource, image) {
  const pod = podSpecOf(resource);
  for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    const name = container.image.replace(/@.*$/, "").replace(/:[^:/]*$/, "");
    if (name !== image.name) continue;
    const tag = image.digest ? `@${image.digest}` : image.newTag ? `:${image.newTag}` : container.image.slice(name.length);
    container.image = `${image.newName ?? name}${tag}`;
  }
}

function renameConfigMapReferences(resource, generated) {
  const pod = podSpecOf(resource);
  if (!pod) return;
  const rename = (holder) => {
    if (holder && generated.has(holder.name)) holder.name = generated.get(holder.name);
  };
  for (const container of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
    for (const source of container.envFrom ?? []) rename(source.configMapRef);
    for (const variable of container.env ?? []) rename(variable.valueFrom?.configMapKeyRef);
  }
  for (const volume of pod.volumes ?? []) rename(volume.configMap);
}
