using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Registry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AttentionService.Http;

/// <summary><c>GET /models</c> and <c>GET /models/{name}</c>: what each model takes and returns, and whether it serves.</summary>
public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/models").WithTags("Models");
        group.MapGet("/", ListModels)
            .WithName("ListModels")
            .WithSummary("List the models")
            .WithDescription("Every model in the repository with its inputs, outputs, metadata and each backend's status.");
        group.MapGet("/{name}", GetModel)
            .WithName("GetModel")
            .WithSummary("Describe one model")
            .WithDescription("The graph's own inputs and outputs in the Open Inference Protocol (KServe v2) form (-1 = dynamic dimension), " +
                             "also for a model that was refused; the binding /attend uses (each role or alias and its graph name, " +
                             "bound by name, position or config, and the mask's meaning); the ONNX metadata; each backend's status: ready, or why not; " +
                             "and, for a multi-head model, its number of heads.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static Ok<ModelList> ListModels(ModelRegistry registry, IOptions<AttentionOptions> options) =>
        TypedResults.Ok(new ModelList(registry.Models.Select(m => Describe(m, options.Value.Backend)).ToArray()));

    public static Results<Ok<ModelMetadata>, ProblemHttpResult> GetModel(string name, ModelRegistry registry, IOptions<AttentionOptions> options) =>
        registry.TryGet(name, out var model)
            ? TypedResults.Ok(Describe(model, options.Value.Backend))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Model not found",
                detail: $"model '{ClientText.Shorten(name)}' not found; models are {string.Join(", ", registry.Names)}");

    private static ModelMetadata Describe(RegisteredModel model, BackendPolicy policy)
    {
        var signature = model.Signature;
        var description = model.Seq2Seq?.Config.Description ?? model.Binding?.Config?.Description ?? signature?.Description;
        return new ModelMetadata(
            model.Name,
            "onnx",
            model.IsServable(policy),
            model.UnservableReason(policy),
            string.IsNullOrEmpty(description) ? null : description,
            signature?.Inputs.Select(ToMetadata).ToArray() ?? [],
            signature?.Outputs.Select(ToMetadata).ToArray() ?? [],
            model.Binding is { } binding ? Describe(binding, signature!) : null,
            signature?.Metadata ?? new Dictionary<string, string>(),
            model.Backends.Select(b => new BackendStatus(b.Kind.ToWireName(), b.IsReady, b.UnavailableReason, b.Backend?.Description)).ToArray(),
            model.ReloadFailure is { } failure ? new ReloadError(failure.Reason, failure.At) : null,
            model.Binding is { } bound ? WeightHeads.Count(signature!, bound) : null,
            model.Forms,
            model.Seq2Seq is { } seq2seq ? Describe(seq2seq) : null);
    }

    private static Seq2SeqMetadata Describe(Seq2SeqModel seq2seq)
    {
        var vocabulary = seq2seq.Vocabulary;
        return new Seq2SeqMetadata(
            seq2seq.ConfigFile,
            Describe(seq2seq.EncoderFile, seq2seq.Encoder, Seq2SeqRoles.Encoder, seq2seq.Config.Encoder),
            Describe(seq2seq.DecoderFile, seq2seq.Decoder, Seq2SeqRoles.Decoder, seq2seq.Config.Decoder),
            new VocabularyMetadata(vocabulary.Source.Count, vocabulary.Target.Count, vocabulary.Pad, vocabulary.Unknown, vocabulary.Start, vocabulary.End, vocabulary.Lowercase),
            seq2seq.Config.MaxSourceLength,
            seq2seq.Config.MaxSteps);
    }

    private static Seq2SeqGraphMetadata Describe(string file, Core.Models.ModelSignature signature, Seq2SeqRoles.GraphRoles roles, Seq2SeqGraphConfig config) => new(
        file,
        signature.Inputs.Select(ToMetadata).ToArray(),
        signature.Outputs.Select(ToMetadata).ToArray(),
        roles.Inputs.Select((role, i) => new BoundTensorMetadata(role, config.Inputs[i], "config"))
            .Concat(roles.Outputs.Select((role, o) => new BoundTensorMetadata(role, config.Outputs[o], "config"))).ToArray());

    private static BindingMetadata Describe(ModelBinding binding, Core.Models.ModelSignature signature) => new(
        Enumerable.Range(0, signature.Inputs.Count)
            .Select(i => new BoundTensorMetadata(binding.InputName(i), signature.Inputs[i].Name, binding.InputsBoundBy.ToWireName())).ToArray(),
        Enumerable.Range(0, signature.Outputs.Count).Where(o => binding.OutputName(o) is not null)
            .Select(o => new BoundTensorMetadata(binding.OutputName(o)!, signature.Outputs[o].Name, binding.OutputsBoundBy.ToWireName())).ToArray(),
        binding.Mask >= 0 ? binding.MaskMeaning.ToWireName() : null,
        binding.Config?.FileName);

    private static TensorMetadata ToMetadata(Core.Models.TensorSpec spec) =>
        new(spec.Name, spec.Datatype, spec.Shape, spec.Shape.Select((d, i) => d >= 0 ? d.ToString() : spec.DimNames[i] ?? "?").ToArray());
}
