using System.Text.Json.Nodes;

namespace AttentionService.Tests.Support;

/// <summary>Copies of the shipped <c>dates</c> seq2seq folder in a test's own models folder, its config edited by the test.</summary>
public static class Seq2SeqFolders
{
    public static string Dates => Path.Combine(RepoPaths.Models, "dates");

    /// <summary>Copies models/dates as <c>&lt;name&gt;/</c>, then lets <paramref name="edit"/> change its seq2seq.json.</summary>
    public static ModelRepository AddDates(this ModelRepository repository, string name, Action<JsonObject>? edit = null)
    {
        var folder = Path.Combine(repository.Folder, name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Dates))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        if (edit is not null) EditConfig(repository, name, edit);
        return repository;
    }

    public static void EditConfig(this ModelRepository repository, string name, Action<JsonObject> edit)
    {
        var path = Path.Combine(repository.Folder, name, "seq2seq.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }
}
