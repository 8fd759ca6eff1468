using System.Net;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Seq2Seq;

/// <summary>Every client mistake with text is a problem that names it, never a 5xx: one case a row.</summary>
public sealed class TextRequestErrorTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, HttpStatusCode, string> Cases() => new()
    {
        { """{"model": "luong-dot", "source": "24 November 2026"}""", HttpStatusCode.BadRequest, "model 'luong-dot' takes tensors (query" },
        { """{"source": "24 November 2026"}""", HttpStatusCode.BadRequest, "model 'luong-dot' takes tensors" },
        { """{"model": "dates", "source": ""}""", HttpStatusCode.BadRequest, "source is empty" },
        { """{"model": "dates", "sources": []}""", HttpStatusCode.BadRequest, "sources is empty" },
        { """{"model": "dates", "sources": ["24 November 2026", ""]}""", HttpStatusCode.BadRequest, "sources[1] is empty" },
        { """{"model": "dates", "sources": ["24 November 2026", 5]}""", HttpStatusCode.BadRequest, "sources[1] is a number, expected a string" },
        { """{"model": "dates", "sources": "24 November 2026"}""", HttpStatusCode.BadRequest, "sources must be an array of strings" },
        { """{"model": "dates", "source": ["24 November 2026"]}""", HttpStatusCode.BadRequest, "source must be a string" },
        { """{"model": "dates", "source": "24 November 2026", "sources": ["1/2/2003"]}""", HttpStatusCode.BadRequest, "either source (one text) or sources (several), not both" },
        { """{"model": "dates", "source": "24 November 2026", "query": [[1]]}""", HttpStatusCode.BadRequest, "source (text, for a seq2seq model) cannot come with query (tensors)" },
        { """{"model": "dates", "sources": ["24 November 2026"], "values": [[1]], "mask": [true]}""", HttpStatusCode.BadRequest, "cannot come with values, mask (tensors)" },
        { """{"model": "dates", "source": "24 November 2026", "tokens": {"query": ["a"]}}""", HttpStatusCode.BadRequest, "cannot come with tokens (tensors)" },
        { """{"model": "dates", "source": "24 November 2026", "heads": "average"}""", HttpStatusCode.BadRequest, "cannot come with heads (tensors)" },
        { """{"model": "dates", "source": "24 November 2026", "include": []}""", HttpStatusCode.BadRequest, "include" },
        { """{"model": "dates", "source": "24 November 2026", "source": "1/2/2003"}""", HttpStatusCode.BadRequest, "source appears more than once" },
        { """{"model": "dates", "source": "24 November 2026", "backend": "gpu"}""", HttpStatusCode.BadRequest, "unknown backend 'gpu'" },
        { """{"model": "nope", "source": "24 November 2026"}""", HttpStatusCode.NotFound, "model 'nope' not found" },
        { $$"""{"model": "dates", "source": "{{new string('1', 65)}}"}""", HttpStatusCode.RequestEntityTooLarge, "source has 65 characters; model 'dates' takes at most 64 (maxSourceLength in dates/seq2seq.json)" },
        { $$"""{"model": "dates", "sources": ["1/2/2003", "{{new string('1', 65)}}"]}""", HttpStatusCode.RequestEntityTooLarge, "sources[1] has 65 characters" },
        { $$"""{"model": "dates", "sources": [{{string.Join(", ", Enumerable.Repeat("\"1/2/2003\"", 65))}}]}""", HttpStatusCode.RequestEntityTooLarge, "sources has 65 texts, the limit is 64 (Attention:Limits:MaxBatch)" },
        { """{"model": "dates", "query": [0, 0], "values": [[1, 0]]}""", HttpStatusCode.BadRequest,
            "model 'dates' needs inputs.token (INT64 [batch]); send it in the request's \"inputs\"; model 'dates' is a seq2seq model: send text as {\"model\": \"dates\", \"source\": \"...\"}" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AMistakeIsAProblemThatNamesIt(string body, HttpStatusCode status, string detail) =>
        await Problems.AssertProblemAsync(await _client.PostRawAsync(body), status, detail);
}
