using AttentionService.ModelBuilder;
using AttentionService.Onnx;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.ModelBuilder;

/// <summary>models/*.onnx are exactly what the builder writes: regenerate with `dotnet run --project src/AttentionService.ModelBuilder -- models`.</summary>
public sealed class CommittedModelsTests
{
    public static TheoryData<string> ModelNames() => [.. ModelCatalog.All.Select(m => m.Name)];

    [Theory, MemberData(nameof(ModelNames))]
    public void RebuildingTheModelGivesTheCommittedBytes(string name)
    {
        var build = ModelCatalog.All.Single(m => m.Name == name).Build;
        var rebuilt = OnnxModelFile.ToBytes(build());
        var committed = File.ReadAllBytes(RepoPaths.Model(name));
        Assert.True(rebuilt.AsSpan().SequenceEqual(committed),
            $"models/{name}.onnx ({committed.Length} bytes) differs from the builder's output ({rebuilt.Length} bytes); " +
            "run `dotnet run --project src/AttentionService.ModelBuilder -- models` and commit the result");
    }

    [Fact]
    public void CatalogAndModelsFolderListTheSameNames()
    {
        var catalog = ModelCatalog.All.Select(m => m.Name).Order(StringComparer.Ordinal).ToArray();
        var folder = Directory.GetFiles(RepoPaths.Models, "*.onnx")
            .Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(catalog, folder);
        Assert.Equal(["bahdanau", "luong-dot", "luong-general", "multihead", "scaled-dot"], catalog);
    }
}
