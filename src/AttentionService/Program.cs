using AttentionService.Configuration;
using AttentionService.Hosting;
using AttentionService.Http;
using Prometheus;

var builder = WebApplication.CreateBuilder(args);

// Settings (validated at start), logging, graceful shutdown.
builder.Services.AddAttentionOptions();
builder.AddAttentionLogging();
builder.Services.AddShutdownDrain();

// Models: the repository, both backends, readiness.
builder.Services.AddAttentionBackends();
builder.Services.AddModelRegistry();
builder.Services.AddModelHealthChecks();

// HTTP surface: JSON, problem details, overload protection, OpenAPI.
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AttentionJsonContext.Default));
builder.Services.AddAttentionProblemDetails();
builder.Services.AddExceptionHandler<ClientDisconnectedHandler>();
builder.Services.AddInferenceProtection();
builder.Services.AddAttentionSwagger();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAttentionRequestLogging();
app.UseRouting();
app.UseHttpMetrics();
app.UseRequestTimeouts();
app.UseAttentionSwagger();

app.MapAttendApi();
app.MapModelsApi();
app.MapHealthApi();
app.MapMetrics();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
