using AttentionService.Tests.Support;

namespace AttentionService.Tests.Models;

/// <summary>
/// One host serving every torch fixture (each under its own name, with its config where it has one) on both backends,
/// shared by the tests of a class; a request picks the backend with "backend".
/// </summary>
public sealed class TorchModelsHost : IDisposable
{
    public static readonly string[] Fixtures =
    [
        "seed-dot", "keras-dot-keys", "scaled-dot", "additive-masked", "multihead-custom", "torch-mha", "torch-mha-padding",
        "gru-bahdanau-step", "lstm-luong-step", "fixed-batch", "keras-dot-mask-attend", "dot-additive-mask", "torch-mha-e64",
    ];

    private readonly ModelRepository _repository = new();

    public TorchModelsHost()
    {
        foreach (var fixture in Fixtures) _repository.AddFixture(fixture);
        Factory = _repository.Start();
        Client = Factory.CreateClient();
    }

    public AttentionServiceFactory Factory { get; }

    public HttpClient Client { get; }

    public void Dispose()
    {
        Factory.Dispose();
        _repository.Dispose();
    }
}
