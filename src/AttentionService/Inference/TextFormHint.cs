using AttentionService.Contracts;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// A tensor request a seq2seq model cannot take (its decoder step's tensors wrong or missing) is told, beside what is
/// wrong, that the model takes text: most such requests meant to send a source.
/// </summary>
public static class TextFormHint
{
    public static InferenceError For(RegisteredModel model, string modelName, InferenceError error) =>
        model.TakesText && error.Kind == InferenceErrorKind.BadRequest
            ? error with { Detail = $"{error.Detail}; model '{modelName}' is a seq2seq model: send text as {{\"model\": \"{modelName}\", \"source\": \"...\"}}, or tensors for one decoder step" }
            : error;
}
