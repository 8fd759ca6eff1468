using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Registry;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>
/// The domain steps of one /attend request, from a parsed request to an answer: find the model, choose the backend,
/// build the model's inputs, run, check the result is finite, and present context and weights in the request's rank.
/// Every failure is an <see cref="InferenceError"/> value.
/// </summary>
public sealed class AttendPipeline(ModelRegistry registry, InferenceRunner runner, IOptions<AttentionOptions> options)
{
    public async ValueTask<AttendOutcome> RunAsync(AttendRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var modelName = request.Model ?? settings.DefaultModel;
        if (!registry.TryGet(modelName, out var model))
            return AttendOutcome.Failed(InferenceError.ModelNotFound($"model '{ModelName.Shorten(modelName)}' not found; models are {string.Join(", ", registry.Names)}"));
        if (model.Signature is not { } signature)
            return AttendOutcome.Failed(InferenceError.Unavailable($"model '{modelName}' failed to load: {model.LoadError}"), modelName);

        BackendKind? backend = null;
        if (request.Backend is not null)
        {
            if (!BackendNames.TryParse(request.Backend, out var kind))
                return AttendOutcome.Failed(InferenceError.BadRequest($"unknown backend '{ModelName.Shorten(request.Backend)}'; backends are {string.Join(", ", BackendNames.All)}"), modelName);
            backend = kind;
        }

        var (inputs, inputError) = AttentionInputs.Build(modelName, signature, request, settings.Limits);
        if (inputError is not null) return AttendOutcome.Failed(inputError, modelName);
        using (inputs)
        {
            var run = await runner.RunAsync(model, backend, inputs!, cancellationToken);
            if (run.Error is not null) return AttendOutcome.Failed(run.Error, modelName);
            var outputs = run.Outputs!;
            var context = Output(signature, outputs, AttentionTensorNames.Context, inputs!.Batched);
            var weights = Output(signature, outputs, AttentionTensorNames.Weights, inputs.Batched);
            if (!TensorPrimitives.IsFiniteAll<float>(context.Span) || !TensorPrimitives.IsFiniteAll<float>(weights.Span))
            {
                outputs.Dispose();
                return AttendOutcome.Failed(InferenceError.Unprocessable("the result is not finite: the scores overflow float32; scale the inputs down"), modelName);
            }
            var response = new AttendResponse { Model = modelName, Backend = run.Backend.ToWireName(), Context = context, Weights = weights };
            return AttendOutcome.Answered(response, run.Backend, outputs);
        }
    }

    /// <summary>The named output, without its batch axis when the request had none (a view: the outputs own the buffers).</summary>
    private static TensorView<float> Output(ModelSignature signature, RentedOutputs outputs, string name, bool batched)
    {
        var index = 0;
        while (signature.Outputs[index].Name != name) index++;
        var tensor = outputs.Float(index);
        return batched ? tensor : tensor.Reshape(tensor.Shape[1..]);
    }
}
