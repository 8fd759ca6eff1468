using AttentionService.Configuration;
using AttentionService.Hosting;
using AttentionService.Http;
using AttentionService.Http.Json;

var builder = WebApplication.CreateBuilder(args);

// Settings (validated at start) and logging.
builder.Services.AddAttentionOptions();
builder.AddAttentionLogging();

// Models: the repository, both backends, readiness.
builder.Services.AddAttentionBackends();
builder.Services.AddModelRegistry();
builder.Services.AddModelHealthChecks();

// HTTP surface: JSON, problem details, OpenAPI.
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AttentionJsonContext.Default));
builder.Services.AddProblemDetails();
builder.Services.AddAttentionSwagger();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAttentionRequestLogging();
app.UseAttentionSwagger();

app.MapAttendApi();
app.MapModelsApi();
app.MapHealthApi();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
