namespace AttentionService.Configuration;

/// <summary>What a model name may look like: the file name of models/&lt;name&gt;.onnx, no path characters.</summary>
public static partial class ModelName
{
    public const string Pattern = "^[a-z0-9][a-z0-9._-]{0,63}$";

    [System.Text.RegularExpressions.GeneratedRegex(Pattern)]
    private static partial System.Text.RegularExpressions.Regex Regex();

    public static bool IsValid(string name) => Regex().IsMatch(name);
}
