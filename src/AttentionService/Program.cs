using AttentionService.Configuration;
using AttentionService.Grpc;
using AttentionService.Hosting;
using AttentionService.Http;

var builder = WebApplication.CreateBuilder(args);
try
{
    // Settings (validated at start), logging, graceful shutdown.
    builder.Services.AddAttentionOptions();
    builder.Services.AddAttentionLogging();
    builder.Services.AddShutdownDrain();

    // Models: the repository, both backends, readiness, metrics.
    builder.Services.AddAttentionBackends();
    builder.Services.AddModelRegistry();
    builder.Services.AddModelHealthChecks();
    builder.Services.AddAttentionMetrics();

    // HTTP surface: bounded connections, JSON, problem details, overload protection, OpenAPI, exposure, CORS, gRPC, headers.
    builder.Services.AddConnectionLimits();
    builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AttentionJsonContext.Default));
    builder.Services.AddAttentionProblemDetails();
    builder.Services.AddExceptionHandler<ClientFaultHandler>();
    builder.Services.AddInferenceProtection();
    builder.Services.AddMemoryBudget();
    builder.Services.AddAttentionSwagger();
    builder.Services.AddAttentionExposure();
    builder.Services.AddAttentionCors();
    builder.Services.AddOpenInferenceGrpc();
    builder.Services.AddSecurityHeaders();

    var app = builder.Build();
    app.ValidateSettings();

    app.UseSecurityHeaders();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseAttentionRequestLogging();
    app.UseRouting();
    app.UseAttentionHttpMetrics();
    app.UseClientFaults();
    app.UseAttentionCors();
    app.UseAttentionExposure();
    app.UseAttentionSwagger();

    app.MapAttendApi();
    app.MapOpenInferenceApi();
    app.MapOpenInferenceGrpc();
    app.MapModelsApi();
    app.MapHealthApi();
    app.MapAttentionMetrics();
    app.MapExplorer();

    var stopping = app.Lifetime.ApplicationStopping;
    try
    {
        app.Run();
    }
    catch (OperationCanceledException) when (stopping.IsCancellationRequested)
    {
        // SIGTERM before start-up finished (e.g. while models load): a clean stop, not a crash.
    }
    return 0;
}
catch (Exception e) when (InvalidSettings.Describe(e, builder.Configuration) is { } line)
{
    // A bad setting is the operator's to fix: one line naming it, not a stack trace.
    Console.Error.WriteLine($"AttentionService cannot start: {line}");
    return 1;
}

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
