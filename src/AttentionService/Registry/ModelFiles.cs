namespace AttentionService.Registry;

/// <summary>
/// What one model was loaded from, as seen on disk: its <c>&lt;name&gt;.onnx</c> and its optional <c>&lt;name&gt;.json</c>
/// (null when absent); for a seq2seq model, its <c>&lt;name&gt;/seq2seq.json</c> as <see cref="Model"/> and the rest of
/// its folder as <see cref="Folder"/>. Two observations that differ mean the model changed on disk.
/// </summary>
public readonly record struct ModelFiles(FileFacts? Model, FileFacts? Config, FolderDigest? Folder = null)
{
    public static ModelFiles Of(string folder, string name) =>
        new(Examine(Path.Combine(folder, name + ".onnx")), Examine(Path.Combine(folder, name + ".json")));

    /// <summary>A seq2seq model's folder <c>&lt;name&gt;/</c>: its config, and every other file in it (the graphs among them).</summary>
    public static ModelFiles OfSeq2Seq(string folder, string name)
    {
        var directory = Path.Combine(folder, name);
        return new(Examine(Path.Combine(directory, Seq2SeqConfig.File)), null, FolderDigest.Of(directory, Seq2SeqConfig.File, Examine));
    }

    /// <summary>Whether these are a seq2seq model's folder rather than a layer model's files.</summary>
    public bool IsSeq2Seq => Folder is not null;

    /// <summary>The file whose presence makes the model: <c>x.onnx</c>, or <c>x/seq2seq.json</c>.</summary>
    public string MainFile(string name) => IsSeq2Seq ? $"{name}/{Seq2SeqConfig.File}" : name + ".onnx";

    /// <summary>What changed from <paramref name="before"/>: "x.onnx changed, x.json added".</summary>
    public string Change(string name, ModelFiles before)
    {
        var changes = new List<string>(2);
        if (IsSeq2Seq != before.IsSeq2Seq) return $"{MainFile(name)} replaces {before.MainFile(name)}";
        Describe(changes, MainFile(name), before.Model, Model);
        Describe(changes, name + ".json", before.Config, Config);
        if (Folder != before.Folder) changes.Add($"files in {name}/ changed");
        return changes.Count == 0 ? "no change" : string.Join(", ", changes);
    }

    private static void Describe(List<string> changes, string file, FileFacts? before, FileFacts? now)
    {
        if (before == now) return;
        changes.Add(before is null ? $"{file} added" : now is null ? $"{file} removed" : $"{file} changed");
    }

    // An entry that cannot be examined (a symbolic-link loop, a folder without search permission) is still an entry:
    // reading it says why it cannot be served.
    internal static FileFacts? Examine(string path)
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
