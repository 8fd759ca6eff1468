using AttentionService.ModelBuilder.Models;
using AttentionService.Onnx.Protos;

namespace AttentionService.ModelBuilder;

/// <summary>Every model the repository ships, by file name (models/&lt;name&gt;.onnx).</summary>
public static class ModelCatalog
{
    public static IReadOnlyList<(string Name, Func<ModelProto> Build)> All { get; } =
    [
        (LuongDot.Name, LuongDot.Build),
        (ScaledDot.Name, ScaledDot.Build),
        (LuongGeneral.Name, LuongGeneral.Build),
        (Bahdanau.Name, Bahdanau.Build),
        (MultiHead.Name, MultiHead.Build),
    ];
}
