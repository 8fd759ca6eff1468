using System.Text.Json.Nodes;
using AttentionService.Tests.Deployment;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Models;

/// <summary>
/// scripts/train-dates.py run again with its defaults, into a temporary folder: the model it trains reaches the
/// committed model's held-out accuracy and alignment (not necessarily the same bytes).
/// </summary>
public sealed class DatesTrainingTests
{
    private static readonly string Committed = Path.Combine(RepoPaths.Models, "dates", "training.json");

    [RequiresTorchFact]
    public void RetrainingReproducesTheCommittedAccuracyAndAlignment()
    {
        var output = Directory.CreateTempSubdirectory("train-dates-").FullName;
        try
        {
            var run = ExternalCommand.Run(RequiresTorchFactAttribute.Python,
                [Path.Combine(RepoPaths.Root, "scripts", "train-dates.py"), "--out", output], TimeSpan.FromMinutes(10));
            Assert.True(run.ExitCode == 0, run.Transcript);

            var committed = JsonNode.Parse(File.ReadAllText(Committed))!;
            var retrained = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "models", "dates", "training.json")))!;
            var exact = (double)retrained["heldOutExactMatch"]!;
            var year = (double)retrained["alignment"]!["year"]!;
            Assert.True(exact >= 0.99, $"held-out exact match {exact} < 0.99 (committed {committed["heldOutExactMatch"]})\n{run.StandardOutput}");
            Assert.True(year >= 0.95, $"year alignment {year} < 0.95 (committed {committed["alignment"]!["year"]})\n{run.StandardOutput}");
            Assert.Equal((int)committed["data"]!["heldOut"]!, (int)retrained["data"]!["heldOut"]!);
            Assert.Equal(committed["hyperparameters"]!.ToJsonString(), retrained["hyperparameters"]!.ToJsonString());
            Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Models, "dates", "seq2seq.json")),
                File.ReadAllText(Path.Combine(output, "models", "dates", "seq2seq.json")));
            foreach (var file in new[] { "encoder.onnx", "decoder.onnx" })
                Assert.True(File.Exists(Path.Combine(output, "models", "dates", file)), $"{file} was not written");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
