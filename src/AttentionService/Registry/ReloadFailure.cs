namespace AttentionService.Registry;

/// <summary>A model file's change that could not be loaded: why, and when it was tried.</summary>
public sealed record ReloadFailure(string Reason, DateTimeOffset At);
