using AttentionService.Contracts;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace AttentionService.Hosting;

/// <summary>
/// The console's text format, with every string property escaped and cut by <see cref="ClientText.Escape"/> before it
/// is rendered: a path, method, header or model name cannot start a forged line or send terminal escapes. Structured
/// (JSON) output does not use it; there strings are JSON-escaped and kept whole.
/// </summary>
public sealed class EscapingTextFormatter(string outputTemplate) : ITextFormatter
{
    private readonly MessageTemplateTextFormatter _inner = new(outputTemplate);

    public void Format(LogEvent logEvent, TextWriter output) => _inner.Format(Escaped(logEvent), output);

    public static LogEvent Escaped(LogEvent logEvent) => new(
        logEvent.Timestamp, logEvent.Level, logEvent.Exception, logEvent.MessageTemplate,
        logEvent.Properties.Select(p => new LogEventProperty(p.Key, Escaped(p.Value))));

    private static LogEventPropertyValue Escaped(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } => new ScalarValue(ClientText.Escape(text)),
        SequenceValue sequence => new SequenceValue(sequence.Elements.Select(Escaped)),
        StructureValue structure => new StructureValue(structure.Properties.Select(p => new LogEventProperty(p.Name, Escaped(p.Value))), structure.TypeTag),
        DictionaryValue dictionary => new DictionaryValue(dictionary.Elements.Select(e => KeyValuePair.Create(e.Key, Escaped(e.Value)))),
        _ => value,
    };
}
