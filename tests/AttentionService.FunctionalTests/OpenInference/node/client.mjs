// Runs gRPC calls on inference.GRPCInferenceService and prints their results as one JSON array.
//   node client.mjs <proto> <host:port> <calls.json>
// calls.json: [{"method": "ModelInfer", "request": {...}}, ...], messages in the proto's field names (bytes as
// base64, int64 as numbers). Each result is {"response": {...}} or {"code": n, "status": "NOT_FOUND", "details": "..."}.
import { readFileSync } from "node:fs";
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const [proto, address, callsFile] = process.argv.slice(2);
const definition = protoLoader.loadSync(proto, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true, bytes: String });
const { GRPCInferenceService } = grpc.loadPackageDefinition(definition).inference;
const client = new GRPCInferenceService(address, grpc.credentials.createInsecure());

const results = [];
for (const { method, request } of JSON.parse(readFileSync(callsFile, "utf8"))) {
  results.push(await new Promise((resolve) =>
    client[method](request, { deadline: Date.now() + 30_000 }, (error, response) =>
      resolve(error ? { code: error.code, status: grpc.status[error.code], details: error.details } : { response }))));
}
client.close();
console.log(JSON.stringify(results));
