using Serilog.Core;
using Serilog.Events;

namespace AttentionService.Hosting;

/// <summary>
/// Gives the request line's <c>Inference</c> property what the /attend handler set on the diagnostic context
/// (<c>Model</c>, <c>Backend</c>, <c>Shapes</c>): " (model luong-dot, backend managed, query [1, 2, 4], values [1, 3, 4])".
/// It is empty when the handler set none of them (other routes, a request refused before a model was chosen), so the
/// text line never shows a bare placeholder.
/// </summary>
public sealed class InferenceSummaryEnricher : ILogEventEnricher
{
    public const string PropertyName = "Inference";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var parts = new List<string>(3);
        if (Text(logEvent, "Model") is { } model) parts.Add($"model {model}");
        if (Text(logEvent, "Backend") is { } backend) parts.Add($"backend {backend}");
        if (Text(logEvent, "Shapes") is { } shapes) parts.Add(shapes);
        var summary = parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
        logEvent.AddPropertyIfAbsent(new LogEventProperty(PropertyName, new ScalarValue(summary)));
    }

    private static string? Text(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: { } scalar } ? scalar.ToString() : null;
}
