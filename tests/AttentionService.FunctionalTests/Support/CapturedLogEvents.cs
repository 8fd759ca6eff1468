using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace AttentionService.Tests.Support;

/// <summary>
/// A Serilog sink that keeps a host's events (register it as an <see cref="ILogEventSink"/> service: the app reads
/// sinks from its services), with a wait that completes when a matching event arrives rather than after a sleep.
/// </summary>
public sealed class CapturedLogEvents : ILogEventSink
{
    private readonly List<LogEvent> _events = [];
    private readonly List<(Func<LogEvent, bool> Match, TaskCompletionSource<LogEvent> Done)> _waiters = [];

    public void Emit(LogEvent logEvent)
    {
        lock (_events)
        {
            _events.Add(logEvent);
            foreach (var waiter in _waiters.Where(w => w.Match(logEvent)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(logEvent);
            }
        }
    }

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<LogEvent> All()
    {
        lock (_events) return _events.ToList();
    }

    private static readonly MessageTemplateTextFormatter TextMessage = new("{Message:lj}");

    /// <summary>The event's message as the console's text format writes it (strings unquoted).</summary>
    public static string Text(LogEvent logEvent)
    {
        using var writer = new StringWriter();
        TextMessage.Format(logEvent, writer);
        return writer.ToString();
    }

    /// <summary>The first event (already logged or still to come) that matches, or a timeout after 30 s.</summary>
    public Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match)
    {
        lock (_events)
        {
            if (_events.FirstOrDefault(match) is { } logged) return Task.FromResult(logged);
            var done = new TaskCompletionSource<LogEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>The request-completion event for <paramref name="method"/> <paramref name="path"/>.</summary>
    public Task<LogEvent> RequestAsync(string method, string path, int? status = null) => WaitForAsync(e =>
        e.Properties.TryGetValue("RequestMethod", out var m) && m is ScalarValue { Value: string actualMethod } && actualMethod == method
        && e.Properties.TryGetValue("RequestPath", out var p) && p is ScalarValue { Value: string actualPath } && actualPath == path
        && (status is null || e.Properties.TryGetValue("StatusCode", out var s) && s is ScalarValue { Value: int actualStatus } && actualStatus == status));
}
