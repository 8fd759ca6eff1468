
namespace AttentionService.Contracts.Json;

/// <summary>Unwinds the request parser from deep inside a tensor; caught at its entry and turned into an error value.</summary>
internal sealed class RequestFormatException(InferenceError error) : Exception(error.Detail)
{
    public InferenceError Error { get; } = error;
}
