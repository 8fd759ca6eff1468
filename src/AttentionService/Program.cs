using AttentionService.Configuration;
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

    // HTTP surface: bounded connections, JSON, problem details, overload protection, OpenAPI.
    builder.Services.AddConnectionLimits();
    builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AttentionJsonContext.Default));
    builder.Services.AddAttentionProblemDetails();
    builder.Services.AddExceptionHandler<ClientDisconnectedHandler>();
    builder.Services.AddInferenceProtection();
    builder.Services.AddMemoryBudget();
    builder.Services.AddAttentionSwagger();

    var app = builder.Build();
    app.ValidateSettings();

    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseAttentionRequestLogging();
    app.UseRouting();
    app.UseAttentionHttpMetrics();
    app.UseRequestTimeouts();
    app.UseAttentionSwagger();

    app.MapAttendApi();
    app.MapModelsApi();
    app.MapHealthApi();
    app.MapAttentionMetrics();

    app.Run();
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
