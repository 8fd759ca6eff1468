using System.Text.Json.Nodes;
using AttentionService.Tests.Deployment;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http;

/// <summary>
/// A client generated from the service's OpenAPI document by openapi-typescript (Http/openapi-client, pinned by its
/// package-lock.json), compiled by tsc in strict mode with openapi-fetch, and run against the service as its own
/// process on loopback: it must compile (the document has the fields and types its code reads, and lists exactly the
/// answers' fields) and every call must answer as the document says. A document that drifts fails it. Needs
/// `npm ci --prefix tests/AttentionService.FunctionalTests/Http/openapi-client`, which .ci/run does; in CI (CI=true) a
/// missing package fails instead of skipping.
/// </summary>
public sealed class GeneratedClientTests(SharedServiceProcess shared) : IClassFixture<SharedServiceProcess>
{
    private static readonly string ClientFolder = Path.Combine(RepoPaths.Root, "tests", "AttentionService.FunctionalTests", "Http", "openapi-client");

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);

    [RequiresOpenApiClientFact]
    public async Task AClientGeneratedFromTheDocumentCallsTheService()
    {
        var document = await shared.Service.Client.GetStringAsync("/swagger/v1/swagger.json");
        using var run = new ClientRun(document);

        var compiled = run.Compile();
        Assert.True(compiled.ExitCode == 0, "the generated client does not compile against the document:\n" + compiled.Transcript);
        var result = ExternalCommand.Run("node", [Path.Combine(run.Folder, "dist", "client.js"), shared.Service.Client.BaseAddress!.ToString().TrimEnd('/')], ToolTimeout);

        Assert.True(result.ExitCode == 0, result.Transcript + shared.Service.Output);
        Assert.StartsWith("ok ", result.StandardOutput.Trim());
    }

    /// <summary>The check can fail: a document whose answer no longer requires <c>model</c> (as the service sends it) does not compile.</summary>
    [RequiresOpenApiClientFact]
    public async Task ADocumentThatDropsARequiredFieldFailsTheClient()
    {
        var document = JsonNode.Parse(await shared.Service.Client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var required = document["components"]!["schemas"]!["AttendResponse"]!["required"]!.AsArray();
        required.Remove(required.Single(n => (string?)n == "model"));
        using var run = new ClientRun(document.ToJsonString());

        var compiled = run.Compile();

        Assert.NotEqual(0, compiled.ExitCode);
        Assert.Contains("model", compiled.StandardOutput);
    }

    /// <summary>The client's sources and the types generated from one document, in a folder of their own under the client's.</summary>
    private sealed class ClientRun : IDisposable
    {
        public ClientRun(string document)
        {
            Folder = Path.Combine(ClientFolder, "runs", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.Combine(Folder, "generated"));
            File.Copy(Path.Combine(ClientFolder, "client.ts"), Path.Combine(Folder, "client.ts"));
            File.Copy(Path.Combine(ClientFolder, "tsconfig.json"), Path.Combine(Folder, "tsconfig.json"));
            File.WriteAllText(Path.Combine(Folder, "openapi.json"), document);
        }

        public string Folder { get; }

        /// <summary>Generates the types (a property with a default stays optional, as in the request it is) and compiles.</summary>
        public ExternalCommand.Result Compile()
        {
            var generated = ExternalCommand.Run("node",
                [Tool("openapi-typescript", "bin", "cli.js"), Path.Combine(Folder, "openapi.json"), "--default-non-nullable", "false", "-o", Path.Combine(Folder, "generated", "attention.ts")],
                ToolTimeout);
            Assert.True(generated.ExitCode == 0, "openapi-typescript failed:\n" + generated.Transcript);
            return ExternalCommand.Run("node", [Tool("typescript", "bin", "tsc"), "-p", Folder], ToolTimeout);
        }

        private static string Tool(params string[] path) => Path.Combine([ClientFolder, "node_modules", .. path]);

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    /// <summary>Skips, saying how to install them, when node or the client's packages are missing; in CI it runs (and fails).</summary>
    private sealed class RequiresOpenApiClientFactAttribute : FactAttribute
    {
        public RequiresOpenApiClientFactAttribute()
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") return;
            Skip = ExternalCommand.Find("node") is null ? "'node' is not on PATH; the generated OpenAPI client runs on Node.js"
                : !Directory.Exists(Path.Combine(ClientFolder, "node_modules", "openapi-typescript"))
                    ? "tests/AttentionService.FunctionalTests/Http/openapi-client has no node_modules; run `npm ci --prefix tests/AttentionService.FunctionalTests/Http/openapi-client` (.ci/run does)"
                    : null;
        }
    }
}
