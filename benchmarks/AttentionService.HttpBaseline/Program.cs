using AttentionService.HttpBaseline;

// A bare Kestrel app: no logging providers, no middleware, one endpoint.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();

var app = builder.Build();
app.MapBaselineApi();
app.Run();
