using AttentionService.HttpBaseline;

// A bare Kestrel app: no logging providers, no middleware, one endpoint.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, BaselineJsonContext.Default));

var app = builder.Build();
app.MapBaselineApi();
app.Run();
