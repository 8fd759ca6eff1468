using AttentionService.ModelBuilder;
using AttentionService.Onnx;

// Usage: dotnet run --project src/AttentionService.ModelBuilder -- [output folder, default ./models]
var output = args.Length > 0 ? args[0] : "models";
Directory.CreateDirectory(output);
foreach (var (name, build) in ModelCatalog.All)
{
    var path = Path.Combine(output, name + ".onnx");
    var bytes = OnnxModelFile.ToBytes(build());
    File.WriteAllBytes(path, bytes);
    Console.WriteLine($"{path} ({bytes.Length} bytes)");
}
