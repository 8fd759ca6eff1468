using AttentionService.Backends.Managed;
using AttentionService.Backends.OnnxRuntime;
using ModelFiles = AttentionService.Benchmarks.Models.ModelFiles;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Inference;
using AttentionService.Registry;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AttentionService.Benchmarks.Kernels;

/// <summary>
/// The shipped seq2seq model <c>dates</c> decoding one 20-character date end to end as the service does it
/// (<see cref="DecodeSession"/>: the encoder once, then greedy decoder steps to the end token, 11 for this date, then
/// each source's results cut out), on both backends side by side. ONNX Runtime runs on one intra-op thread, the managed
/// backend on its caller's thread; the Ratio column is "time / ONNX Runtime's time". HTTP and JSON are not included.
/// </summary>
public class Seq2SeqDecodeBenchmarks
{
    private Seq2SeqModel _model = null!;
    private IModelBackend _managedEncoder = null!, _managedDecoder = null!, _onnxEncoder = null!, _onnxDecoder = null!;
    private SourceBatch _batch = null!;

    [Params("Tuesday 24 Nov, 2026")]
    public string Source { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var folder = Path.Combine(ModelFiles.Folder, "dates");
        var config = Seq2SeqConfig.Parse("dates/seq2seq.json", File.ReadAllBytes(Path.Combine(folder, "seq2seq.json")));
        var encoder = ModelSource.Read("dates/encoder.onnx", Path.Combine(folder, config.Encoder.File));
        var decoder = ModelSource.Read("dates/decoder.onnx", Path.Combine(folder, config.Decoder.File));
        _model = Seq2SeqBinder.Bind("dates", config, encoder.Signature, decoder.Signature).Model
                 ?? throw new InvalidOperationException("models/dates does not bind");
        var managed = new ManagedBackendFactory();
        var onnx = new OnnxRuntimeBackendFactory(new OnnxRuntimeSettings { IntraOpNumThreads = 1 }, NullLogger<OnnxRuntimeBackendFactory>.Instance);
        (_managedEncoder, _managedDecoder) = (managed.Create(encoder), managed.Create(decoder));
        (_onnxEncoder, _onnxDecoder) = (onnx.Create(encoder), onnx.Create(decoder));
        _batch = SourceBatch.Encode(_model.Vocabulary, [Source]);
        if (Decode(_onnxEncoder, _onnxDecoder) != "2026-11-24" || Decode(_managedEncoder, _managedDecoder) != "2026-11-24")
            throw new InvalidOperationException($"'{Source}' does not decode to 2026-11-24");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        foreach (var backend in new[] { _managedEncoder, _managedDecoder, _onnxEncoder, _onnxDecoder }) backend.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ORT decode, 1 thread")]
    public string Onnx() => Decode(_onnxEncoder, _onnxDecoder);

    [Benchmark(Description = "Managed decode")]
    public string Managed() => Decode(_managedEncoder, _managedDecoder);

    private string Decode(IModelBackend encoder, IModelBackend decoder)
    {
        using var session = new DecodeSession(_model, encoder, decoder, _batch, CancellationToken.None);
        while (!session.Finished) session.Step(CancellationToken.None);
        var results = session.Results();
        foreach (var result in results) result.Dispose();
        return results[0].Output;
    }
}
