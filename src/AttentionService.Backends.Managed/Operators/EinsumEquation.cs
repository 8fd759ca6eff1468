namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// A parsed Einsum equation of one or two operands, each label a letter (a–z, A–Z) used at most once per term, with
/// at most one ellipsis per term. Terms are kept as strings with '.' standing for the ellipsis. Anything the managed
/// Einsum does not implement is an <see cref="ArgumentException"/> saying what: repeated labels within a term
/// (diagonals, traces), more than two operands, a two-operand label summed away from only one operand, an ellipsis
/// summed away.
/// </summary>
public sealed class EinsumEquation
{
    /// <summary>Label ids: a–z are 0–25, A–Z 26–51, the ellipsis's dimensions (aligned right) from <see cref="FirstEllipsisLabel"/>.</summary>
    public const int FirstEllipsisLabel = 52;

    /// <summary>The most dimensions an ellipsis stands for.</summary>
    public const int MaxEllipsisRank = 8;

    public const int LabelCount = FirstEllipsisLabel + MaxEllipsisRank;

    private EinsumEquation(string[] operands, string output)
    {
        Operands = operands;
        Output = output;
    }

    /// <summary>Each operand's term, '.' for its ellipsis.</summary>
    public IReadOnlyList<string> Operands { get; }

    /// <summary>The output term (explicit, or derived as numpy does in implicit mode), '.' for its ellipsis.</summary>
    public string Output { get; }

    public static EinsumEquation Parse(string equation)
    {
        var text = string.Concat(equation.Where(c => !char.IsWhiteSpace(c)));
        var arrow = text.IndexOf("->", StringComparison.Ordinal);
        if (arrow >= 0 && text.IndexOf("->", arrow + 2, StringComparison.Ordinal) >= 0)
            throw new ArgumentException("has more than one '->'");
        var left = arrow >= 0 ? text[..arrow] : text;
        var operands = left.Split(',').Select(ReadTerm).ToArray();
        if (operands.Length > 2)
            throw new ArgumentException($"has {operands.Length} operands; the managed Einsum takes one or two");
        var anyEllipsis = operands.Any(o => o.Contains('.'));

        string output;
        if (arrow >= 0)
        {
            output = ReadTerm(text[(arrow + 2)..]);
            foreach (var label in output.Where(c => c != '.'))
                if (!operands.Any(o => o.Contains(label)))
                    throw new ArgumentException($"has output label '{label}', which no operand has");
            if (anyEllipsis && !output.Contains('.'))
                throw new ArgumentException("sums over the ellipsis's dimensions (an operand has '...', the output does not), which the managed Einsum does not implement");
        }
        else
        {
            // numpy's implicit output: the ellipsis, then the labels used once, in alphabetical order.
            var once = operands.SelectMany(o => o).Where(c => c != '.').GroupBy(c => c).Where(g => g.Count() == 1).Select(g => g.Key).ToArray();
            if (once.Any(char.IsUpper) && once.Any(char.IsLower))
                throw new ArgumentException("has no '->' and mixes upper- and lower-case labels, whose implicit output order implementations disagree on");
            output = (anyEllipsis ? "." : "") + new string(once.Order().ToArray());
        }

        if (operands.Length == 2)
            foreach (var label in operands.SelectMany(o => o).Where(c => c != '.').Distinct())
                if (!output.Contains(label) && !(operands[0].Contains(label) && operands[1].Contains(label)))
                    throw new ArgumentException($"sums label '{label}' over one operand only, which the managed Einsum does not implement");
        return new EinsumEquation(operands, output);
    }

    /// <summary>The id of a letter label.</summary>
    public static int LabelOf(char label) => label is >= 'a' and <= 'z' ? label - 'a' : label - 'A' + 26;

    /// <summary>The letter of a letter label's id.</summary>
    public static char LetterOf(int label) => label < 26 ? (char)('a' + label) : (char)('A' + label - 26);

    /// <summary>The number of letter labels in <paramref name="term"/> (not counting its ellipsis).</summary>
    public static int LetterCount(string term) => term.Contains('.') ? term.Length - 1 : term.Length;

    /// <summary>
    /// The label id of each of the <paramref name="rank"/> axes of <paramref name="term"/>, whose ellipsis stands for
    /// rank − letters dimensions, aligned right among the equation's <paramref name="ellipsisRank"/> ellipsis dimensions.
    /// </summary>
    public static void Expand(string term, int rank, int ellipsisRank, Span<int> labels)
    {
        var own = rank - LetterCount(term);
        var position = 0;
        foreach (var c in term)
        {
            if (c == '.')
                for (var j = 0; j < own; j++) labels[position++] = FirstEllipsisLabel + ellipsisRank - own + j;
            else labels[position++] = LabelOf(c);
        }
    }

    private static string ReadTerm(string term)
    {
        var result = new System.Text.StringBuilder();
        for (var i = 0; i < term.Length; i++)
        {
            var c = term[i];
            if (c == '.')
            {
                if (i + 2 >= term.Length || term[i + 1] != '.' || term[i + 2] != '.')
                    throw new ArgumentException($"has a '.' that is not part of '...' in term '{term}'");
                if (result.ToString().Contains('.'))
                    throw new ArgumentException($"has more than one '...' in term '{term}'");
                result.Append('.');
                i += 2;
            }
            else if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z')
            {
                if (result.ToString().Contains(c))
                    throw new ArgumentException($"repeats label '{c}' in term '{term}' (a diagonal or trace), which the managed Einsum does not implement");
                result.Append(c);
            }
            else throw new ArgumentException($"has '{c}' in term '{term}'; labels are letters");
        }
        return result.ToString();
    }
}
