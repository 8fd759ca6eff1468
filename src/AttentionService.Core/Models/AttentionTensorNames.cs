namespace AttentionService.Core.Models;

/// <summary>
/// The tensor names attention models use, shared by the model builder that writes them and the service that feeds
/// them: inputs query, keys, values, mask; outputs context, weights.
/// </summary>
public static class AttentionTensorNames
{
    public const string Query = "query";
    public const string Keys = "keys";
    public const string Values = "values";
    public const string Mask = "mask";
    public const string Context = "context";
    public const string Weights = "weights";
}
