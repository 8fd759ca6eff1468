namespace AttentionService.Tests.Deployment;

/// <summary>A Dockerfile read as instructions (continuations joined, comments dropped), each tagged with its stage.</summary>
public sealed class DockerfileInstructions
{
    public sealed record Instruction(string Keyword, string Arguments, string? Stage);

    public IReadOnlyList<Instruction> All { get; }

    private DockerfileInstructions(IReadOnlyList<Instruction> all) => All = all;

    public IEnumerable<Instruction> InStage(string stage) => All.Where(i => i.Stage == stage);

    /// <summary>The name given by <c>FROM image AS name</c> to the last stage: the one an untargeted build produces.</summary>
    public string? FinalStage => All.LastOrDefault(i => i.Keyword == "FROM")?.Stage;

    public static DockerfileInstructions Read(string path)
    {
        var instructions = new List<Instruction>();
        string? stage = null;
        var pending = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
                continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            var text = (pending + line).Trim();
            pending = "";
            var space = text.IndexOf(' ');
            var keyword = (space < 0 ? text : text[..space]).ToUpperInvariant();
            var arguments = space < 0 ? "" : text[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stage = parts.Length >= 3 && parts[^2].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[^1] : null;
            }
            instructions.Add(new Instruction(keyword, arguments, stage));
        }
        return new DockerfileInstructions(instructions);
    }
}
