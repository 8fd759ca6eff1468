namespace AttentionService.Core.Backends;

/// <summary>A backend cannot serve a model; the message is the reason shown to users in /models.</summary>
public sealed class BackendUnavailableException(string reason, Exception? inner = null) : Exception(reason, inner);
