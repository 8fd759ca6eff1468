namespace AttentionService.Registry;

/// <summary>
/// What one model was loaded from, as seen on disk: its <c>&lt;name&gt;.onnx</c> and its optional <c>&lt;name&gt;.json</c>
/// (null when absent). Two observations that differ mean the model changed on disk.
/// </summary>
public readonly record struct ModelFiles(FileFacts? Model, FileFacts? Config)
{
    public static ModelFiles Of(string folder, string name) =>
        new(Examine(Path.Combine(folder, name + ".onnx")), Examine(Path.Combine(folder, name + ".json")));

    /// <summary>What changed from <paramref name="before"/>: "x.onnx changed, x.json added".</summary>
    public string Change(string name, ModelFiles before)
    {
        var changes = new List<string>(2);
        Describe(changes, name + ".onnx", before.Model, Model);
        Describe(changes, name + ".json", before.Config, Config);
        return changes.Count == 0 ? "no change" : string.Join(", ", changes);
    }

    private static void Describe(List<string> changes, string file, FileFacts? before, FileFacts? now)
    {
        if (before == now) return;
        changes.Add(before is null ? $"{file} added" : now is null ? $"{file} removed" : $"{file} changed");
    }

    // An entry that cannot be examined (a symbolic-link loop, a folder without search permission) is still an entry:
    // reading it says why it cannot be served.
    private static FileFacts? Examine(string path)
    {
        try
        {
            return FileFacts.Of(path);
        }
        catch (IOException)
        {
            return new FileFacts(FileKind.Unknown, 0, 0, 0, 0, 0);
        }
    }
}
