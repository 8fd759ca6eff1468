namespace AttentionService.Tests.Conformance;

/// <summary>
/// A fact over ONNX's node tests, skipped (saying why) where Debian's libonnx-testdata is not installed: the data is
/// not part of the .NET SDK. .ci/run installs the package and fails when its data is missing, so in CI these run.
/// </summary>
public sealed class RequiresNodeTestDataFactAttribute : FactAttribute
{
    public RequiresNodeTestDataFactAttribute()
    {
        if (!Directory.Exists(NodeTest.Root)) Skip = NodeTest.MissingData;
    }
}

/// <summary>The theory form of <see cref="RequiresNodeTestDataFactAttribute"/>: one case per node test, or skipped.</summary>
public sealed class RequiresNodeTestDataTheoryAttribute : TheoryAttribute
{
    public RequiresNodeTestDataTheoryAttribute()
    {
        if (!Directory.Exists(NodeTest.Root)) Skip = NodeTest.MissingData;
    }
}
