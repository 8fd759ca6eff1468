using System.Text;

namespace AttentionService.Contracts;

/// <summary>
/// Text a client chose (a name, a path, a header), bounded before the service repeats it: in an error detail it is cut
/// to <see cref="MaxEchoedName"/> characters; in the text log it is also escaped so it cannot forge lines or colours.
/// </summary>
public static class ClientText
{
    /// <summary>Longest client-supplied name echoed in a problem detail (model, backend, property, input, output).</summary>
    public const int MaxEchoedName = 64;

    /// <summary>Longest client-supplied value written to the text log, after escaping.</summary>
    public const int MaxLogged = 512;

    /// <summary><paramref name="name"/> cut to <see cref="MaxEchoedName"/> characters plus "…", never inside a surrogate pair.</summary>
    public static string Shorten(string name) => Cut(name, MaxEchoedName);

    /// <summary>
    /// Control characters (C0, DEL, C1) written as <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\\</c> or <c>\xHH</c>, the result
    /// cut to <see cref="MaxLogged"/> characters plus "…"; text without them comes back as is.
    /// </summary>
    public static string Escape(string text)
    {
        if (text.Length <= MaxLogged && !text.AsSpan().ContainsAny(Escaped)) return text;
        var escaped = new StringBuilder(Math.Min(text.Length, MaxLogged) + 16);
        var read = 0;
        for (; read < text.Length && escaped.Length < MaxLogged; read++)
        {
            var c = text[read];
            switch (c)
            {
                case '\n': escaped.Append("\\n"); break;
                case '\r': escaped.Append("\\r"); break;
                case '\t': escaped.Append("\\t"); break;
                case '\\': escaped.Append("\\\\"); break;
                case < ' ' or >= '\x7f' and <= '\x9f': escaped.Append("\\x").Append(((int)c).ToString("x2")); break;
                default: escaped.Append(c); break;
            }
        }
        if (read == text.Length && escaped.Length <= MaxLogged) return escaped.ToString();
        var length = char.IsHighSurrogate(escaped[MaxLogged - 1]) ? MaxLogged - 1 : MaxLogged;
        return escaped.ToString(0, Math.Min(length, escaped.Length)) + "…";
    }

    // The backslash too, so an escape the client typed cannot be mistaken for one the service wrote.
    private static readonly System.Buffers.SearchValues<char> Escaped = System.Buffers.SearchValues.Create(
        "\\\x7f" + new string(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x80, 0x20)).Select(i => (char)i).ToArray()));

    private static string Cut(string text, int length)
    {
        if (text.Length <= length) return text;
        if (char.IsHighSurrogate(text[length - 1])) length--;
        return text[..length] + "…";
    }
}
