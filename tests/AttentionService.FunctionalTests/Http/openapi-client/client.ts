// A client of the service typed by the OpenAPI document (generated/attention.ts, written by openapi-typescript from
// /swagger/v1/swagger.json). The document can drift from the service two ways, and each fails here:
//   - its fields: the literals below must list exactly each answer's fields and its required ones (tsc refuses a
//     missing or extra key), and the typed reads need the types the service sends (an enum, a required string);
//   - the service: each answer is checked at run time against those same lists, and its values against what it says.
// Usage: node dist/client.js http://127.0.0.1:PORT   (prints "ok N checks", exits 1 naming the first failure)
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/attention.js";

declare const process: { argv: string[] };

type Schemas = components["schemas"];
type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
type Fields<T> = { all: Record<keyof T, true>; required: Record<RequiredKeys<T>, true> };

const attendAnswer: Fields<Schemas["AttendResponse"]> = {
  all: { model: true, backend: true, tokens: true, context: true, weights: true, outputs: true },
  required: { model: true, backend: true },
};
const textAnswer: Fields<Schemas["TextResponse"]> = {
  all: { model: true, backend: true, results: true, sourceTokens: true, outputTokens: true, output: true, stop: true, context: true, weights: true },
  required: { model: true, backend: true },
};
const modelList: Fields<Schemas["ModelList"]> = { all: { models: true }, required: { models: true } };
const modelMetadata: Fields<Schemas["ModelMetadata"]> = {
  all: {
    name: true, platform: true, ready: true, reason: true, description: true, inputs: true, outputs: true, binding: true,
    parameters: true, backends: true, reloadError: true, heads: true, forms: true, seq2seq: true,
  },
  required: { name: true, platform: true, ready: true, inputs: true, outputs: true, parameters: true, backends: true, forms: true },
};
const healthReport: Fields<Schemas["HealthReport"]> = { all: { status: true, checks: true }, required: { status: true, checks: true } };

let checks = 0;
function check(condition: boolean, what: string): asserts condition {
  checks++;
  if (!condition) throw new Error(what);
}

function checkFields<T>(value: unknown, fields: Fields<T>, label: string): void {
  check(typeof value === "object" && value !== null, `${label}: not an object`);
  const keys = Object.keys(value);
  for (const key of keys) check(key in fields.all, `${label}: field '${key}' is not in the document`);
  for (const key of Object.keys(fields.required)) check(keys.includes(key), `${label}: required field '${key}' is missing`);
}

const baseUrl = process.argv[2];
check(baseUrl !== undefined, "usage: node dist/client.js BASE_URL");
const client = createClient<paths>({ baseUrl });

// Tensors: the README's request to luong-dot and its answer.
{
  const { data, response } = await client.POST("/attend", {
    body: { model: "luong-dot", query: [[1, 0, 1, 0], [0, 1, 0, 1]], values: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] },
  });
  check(response.status === 200 && data !== undefined, `POST /attend (tensors): ${response.status}`);
  checkFields(data, attendAnswer, "the tensor answer");
  const model: string = data.model;
  const backend: "onnx" | "managed" = data.backend;
  check(model === "luong-dot" && (backend === "onnx" || backend === "managed"), `the tensor answer: model ${model}, backend ${backend}`);
  const weights = data.weights as number[][];
  check(Math.abs((weights[0]?.[1] ?? NaN) - 0.15536241) < 1e-5, `the tensor answer's weights: ${JSON.stringify(weights)}`);
}

// Text: a date to the seq2seq model.
{
  const { data, response } = await client.POST("/attend", { body: { model: "dates", source: "24 November 2026", include: ["weights"] } });
  check(response.status === 200 && data !== undefined, `POST /attend (text): ${response.status}`);
  checkFields(data, textAnswer, "the text answer");
  check("output" in data && data.output === "2026-11-24", `the text answer's output: ${JSON.stringify(data)}`);
}

// A mistake: problem details with the status and a detail.
{
  const { error, response } = await client.POST("/attend", { body: { query: [[1, 0]], values: [[1, 0], [0]] } });
  check(response.status === 400 && error !== undefined, `POST /attend (bad): ${response.status}`);
  const problem: Schemas["ProblemDetails"] = error;
  check(problem.status === 400 && problem.detail === "values[1] has 1 number, expected 2", `the 400: ${JSON.stringify(problem)}`);
}

// The models, as GET /models lists them.
{
  const { data, response } = await client.GET("/models");
  check(response.status === 200 && data !== undefined, `GET /models: ${response.status}`);
  checkFields(data, modelList, "GET /models");
  for (const model of data.models) {
    checkFields(model, modelMetadata, `GET /models: ${model.name}`);
    const forms: string[] = model.forms;
    check(forms.includes("tensors"), `${model.name}: forms ${JSON.stringify(forms)}`);
  }
  check(data.models.some((m) => m.name === "dates" && m.forms.includes("text")), "GET /models: no text model dates");
}

// Readiness.
{
  const { data, response } = await client.GET("/health/ready");
  check(response.status === 200 && data !== undefined, `GET /health/ready: ${response.status}`);
  checkFields(data, healthReport, "GET /health/ready");
  const status: "Healthy" | "Degraded" | "Unhealthy" = data.status;
  check(status === "Healthy", `GET /health/ready: ${status}`);
}

console.log(`ok ${checks} checks`);
