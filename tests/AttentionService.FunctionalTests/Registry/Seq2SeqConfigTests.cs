using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Registry;

/// <summary>
/// A seq2seq folder the service cannot serve is listed, not ready, with one line naming the file and the field; text
/// sent to it is answered 503 with that line. The rest of the service serves on.
/// </summary>
public sealed class Seq2SeqConfigTests : IDisposable
{
    private readonly ModelRepository _repository = new();

    public static TheoryData<string, string> Refusals() => new()
    {
        { "no encoder file", "bad/encoder.onnx does not exist" },
        { "state names 'hidden'", "bad/seq2seq.json: encoder.outputs.state names 'hidden', which bad/encoder.onnx does not have; its outputs are 'values' FP32" },
        { "mask bound twice", "bad/seq2seq.json: decoder.inputs.mask names 'token', which is already decoder.inputs.token" },
        { "end not in target", "bad/seq2seq.json: vocabulary.target has no end token '<eos>' (vocabulary.end)" },
        { "pad not in source", "bad/seq2seq.json: vocabulary.source has no pad token '<blank>' (vocabulary.pad)" },
        { "two-character token", "bad/seq2seq.json: vocabulary.source[3] is 'ab'; the source is read one character at a time" },
        { "unknown field", "bad/seq2seq.json: unknown field 'beam'; fields are description, encoder, decoder, vocabulary, maxSourceLength, maxSteps" },
        { "file outside the folder", "bad/seq2seq.json: decoder.file is '../luong-dot.onnx'; it must name a file in the model's folder, without a directory" },
        { "no steps", "bad/seq2seq.json: maxSteps must be an integer from 1 to 1024, not 0" },
        { "unknown role", "bad/seq2seq.json: decoder.inputs.keys: unknown role; the roles are token, query, values, mask" },
        { "wrong type", "bad/seq2seq.json: decoder.inputs.token: graph input 'query' of bad/decoder.onnx is FP32 [batch, 128]; the decode loop feeds token as INT64 [batch]" },
        { "not JSON", "bad/seq2seq.json: not valid JSON" },
    };

    private static void Break(string name, string folder, JsonObject config)
    {
        switch (name)
        {
            case "no encoder file": File.Delete(Path.Combine(folder, "encoder.onnx")); break;
            case "state names 'hidden'": config["encoder"]!["outputs"]!["state"] = "hidden"; break;
            case "mask bound twice": config["decoder"]!["inputs"]!["mask"] = "token"; break;
            case "end not in target": config["vocabulary"]!["end"] = "<eos>"; break;
            case "pad not in source": config["vocabulary"]!["pad"] = "<blank>"; break;
            case "two-character token": config["vocabulary"]!["source"]![3] = "ab"; break;
            case "unknown field": config["beam"] = 4; break;
            case "file outside the folder": config["decoder"]!["file"] = "../luong-dot.onnx"; break;
            case "no steps": config["maxSteps"] = 0; break;
            case "unknown role": config["decoder"]!["inputs"]!["keys"] = "values"; break;
            case "wrong type":
                config["decoder"]!["inputs"]!["token"] = "query";
                config["decoder"]!["inputs"]!["query"] = "token";
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ABrokenFolderIsListedNotReadyWithTheReason(string breakage, string reason)
    {
        _repository.AddDates("bad", config => Break(breakage, Path.Combine(_repository.Folder, "bad"), config));
        if (breakage == "not JSON") File.WriteAllText(Path.Combine(_repository.Folder, "bad", "seq2seq.json"), "{\"encoder\": ");
        using var factory = _repository.Start();
        var client = factory.CreateClient();

        var model = await client.GetObjectAsync("/models/bad");
        var text = await client.PostAttendAsync(new { model = "bad", source = "24 November 2026" });
        var layer = await client.PostAttendAsync(new { query = new[] { new[] { 1f } }, values = new[] { new[] { 1f } } });

        Assert.False((bool)model["ready"]!);
        Assert.Contains(reason, (string?)model["reason"]);
        Assert.Equal(["text", "tensors"], DatesReference.Strings(model["forms"]));
        await Problems.AssertProblemAsync(text, HttpStatusCode.ServiceUnavailable, reason);
        Assert.Equal(HttpStatusCode.OK, layer.StatusCode);
    }

    [Fact]
    public async Task AFolderAndAnOnnxFileOfOneNameKeepTheOnnxFile()
    {
        _repository.AddDates("luong-dot");
        using var factory = _repository.Start();

        var model = await factory.CreateClient().GetObjectAsync("/models/luong-dot");

        Assert.True((bool)model["ready"]!);
        Assert.Equal(["tensors"], DatesReference.Strings(model["forms"]));
    }

    [Fact]
    public async Task ChangingTheConfigReloadsTheModel()
    {
        _repository.AddDates("dates");
        using var factory = _repository.Start(("Attention:Models:SettleMilliseconds", "100"), ("Attention:Models:PollSeconds", "1"));
        var client = factory.CreateClient();
        var before = await DecodeAsync(client);
        Assert.Equal("end", (string?)before["stop"]);

        _repository.EditConfig("dates", config => config["maxSteps"] = 3);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((int)(await client.GetObjectAsync("/models/dates"))["seq2seq"]!["maxSteps"]! != 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "dates/seq2seq.json was changed and never reloaded");
            await Task.Delay(100);
        }
        var after = await DecodeAsync(client);
        Assert.Equal("maxSteps", (string?)after["stop"]);
        Assert.Equal(DatesReference.Strings(before["outputTokens"])[..3], DatesReference.Strings(after["outputTokens"]));
    }

    private static async Task<JsonObject> DecodeAsync(HttpClient client)
    {
        var response = await client.PostAttendAsync(new { model = "dates", source = "24 November 2026" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadObjectAsync();
    }

    public void Dispose() => _repository.Dispose();
}
