using AttentionService.Tests.Support;
using AttentionService.Backends.OnnxRuntime;
using AttentionService.Core.Backends;
using AttentionService.Onnx;
using AttentionService.Tests.ModelBuilder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AttentionService.Tests.OnnxRuntime;

/// <summary>
/// How the factory turns ONNX Runtime's failures into reasons, and its CUDA fallback: the CPU package has no CUDA entry
/// point, and the GPU package on this machine cannot load its CUDA libraries; both must end up on CPU.
/// </summary>
public sealed class OnnxRuntimeBackendFactoryTests
{
    private static readonly OnnxRuntimeBackendFactory CpuFactory =
        new(new OnnxRuntimeSettings(), NullLogger<OnnxRuntimeBackendFactory>.Instance);

    [Fact]
    public void TruncatedModelBytesAreUnavailableNamingTheModelAndTheCause()
    {
        var good = ModelSources.FromRepository("luong-dot");
        var truncated = good with { Name = "truncated", Bytes = good.Bytes[..(good.Bytes.Length / 2)] };

        var e = Assert.Throws<BackendUnavailableException>(() => CpuFactory.Create(truncated));

        Assert.StartsWith("ONNX Runtime could not create a session for 'truncated': ", e.Message);
        Assert.Contains("protobuf parsing failed", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void BytesThatAreNotAModelAreUnavailableNamingTheModelAndTheCause()
    {
        var good = ModelSources.FromRepository("luong-dot");
        var garbage = good with { Name = "garbage", Bytes = "this is not an ONNX model"u8.ToArray() };

        var e = Assert.Throws<BackendUnavailableException>(() => CpuFactory.Create(garbage));

        Assert.StartsWith("ONNX Runtime could not create a session for 'garbage': ", e.Message);
        Assert.Contains("protobuf parsing failed", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AGraphWithAnOperatorOnnxRuntimeDoesNotKnowIsUnavailableNamingTheOperator()
    {
        var g = new GraphBuilder("unknown-op");
        var x = g.Input("x", "n");
        g.Node("NoSuchOp", [x], "y");
        g.Output("y", "n");
        var model = ModelSources.FromProto("unknown-op", g.ToModel(OnnxVersions.Opset, "an operator nobody implements", []));

        var e = Assert.Throws<BackendUnavailableException>(() => CpuFactory.Create(model));

        Assert.StartsWith("ONNX Runtime could not create a session for 'unknown-op': ", e.Message);
        Assert.Contains("NoSuchOp", e.Message);
    }

    [Fact]
    public void CudaWithoutAUsableProviderFallsBackToAWorkingCpuBackendWarnsOnceAndReportsDegraded()
    {
        var logger = new RecordingLogger<OnnxRuntimeBackendFactory>();
        var factory = new OnnxRuntimeBackendFactory(
            new OnnxRuntimeSettings { ExecutionProvider = ExecutionProvider.Cuda, CudaDeviceId = 0 }, logger);
        Assert.Equal(BackendStatus.Available, factory.Status);

        using var backend = Assert.IsType<OnnxRuntimeBackend>(factory.Create(ModelSources.FromRepository("luong-dot")));
        using var second = Assert.IsType<OnnxRuntimeBackend>(factory.Create(ModelSources.FromRepository("bahdanau")));

        Assert.Equal("CPU", backend.EffectiveProvider);
        Assert.Equal("CPU", second.EffectiveProvider);
        var warning = Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning);
        Assert.Contains("luong-dot", warning.Message);
        Assert.Contains("CUDA:0", warning.Message);
        Assert.NotNull(warning.Exception);
        Assert.Equal(BackendCondition.Degraded, factory.Status.Condition);
        Assert.StartsWith("Attention:OnnxRuntime:ExecutionProvider is Cuda, but ONNX Runtime cannot use CUDA:0: ", factory.Status.Reason);

        var attention = new AttentionCase(2, 3, 5, 8, 6, MaskKind.Random, seed: 8);
        var inputs = attention.RentInputs();
        using var outputs = backend.RunRented(inputs.Views(), CancellationToken.None);
        attention.AssertMatchesReference(outputs, 1e-5);
        foreach (var tensor in inputs) tensor.Dispose();
    }

    [Fact]
    public void ABrokenModelUnderCudaDoesNotMarkTheProviderFailed()
    {
        var factory = new OnnxRuntimeBackendFactory(
            new OnnxRuntimeSettings { ExecutionProvider = ExecutionProvider.Cuda }, NullLogger<OnnxRuntimeBackendFactory>.Instance);
        var good = ModelSources.FromRepository("luong-dot");

        Assert.Throws<BackendUnavailableException>(() => factory.Create(good with { Name = "garbage", Bytes = "not a model"u8.ToArray() }));

        Assert.Equal(BackendStatus.Available, factory.Status);
    }

    [Fact]
    public void TheCpuBuildLoadsItsNativeLibraryAndIsAvailable()
    {
        Assert.Equal(OnnxRuntimeBuild.Cpu, OnnxRuntimeBuild.Name);
        Assert.Null(NativeLibraryProbe.FailureReason);
        Assert.Equal(BackendStatus.Available, CpuFactory.Status);
    }
}
