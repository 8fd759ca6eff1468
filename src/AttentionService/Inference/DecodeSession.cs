using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// One greedy decode of a <see cref="SourceBatch"/> on one backend. Construction runs the encoder (once per group of
/// sources of one length, so a source's values never depend on the padding of others) and rents every buffer the steps
/// need; each <see cref="Step"/> then runs the decoder on the same inputs and into the same outputs, records each
/// unfinished source's weights, context and argmax token, and feeds the token and the new state back, allocating
/// nothing once warm. Sources that reached the end token ride along in the batch and are no longer recorded.
/// </summary>
public sealed class DecodeSession : IDisposable
{
    private readonly Seq2SeqModel _model;
    private readonly IModelBackend _decoder;
    private readonly SourceBatch _batch;
    private readonly int _maxSteps;
    private readonly Tensor<float> _values;
    private readonly Tensor<float> _query;
    private readonly Tensor<long> _token;
    private readonly TensorView[] _inputs;
    private readonly RentedOutputs _outputs;

    // Per source: the steps recorded, whether it ended, and per step its token, weights [src] and context [dv].
    private readonly int[] _steps;
    private readonly bool[] _ended;
    private readonly Tensor<int> _ids;
    private readonly Tensor<float> _weights;
    private Tensor<float>? _context;

    public DecodeSession(Seq2SeqModel model, IModelBackend encoder, IModelBackend decoder, SourceBatch batch, CancellationToken cancellationToken)
    {
        _model = model;
        _decoder = decoder;
        _batch = batch;
        _maxSteps = model.Config.MaxSteps;
        var (b, s) = (batch.Batch, batch.Length);
        _steps = new int[b];
        _ended = new bool[b];
        try
        {
            (_values, _query) = Encode(model, encoder, batch, cancellationToken);
            _token = Tensor.Rent<long>(b);
            _token.Span.Fill(model.Vocabulary.StartId);
            _inputs = new TensorView[4];
            _inputs[model.Token] = _token;
            _inputs[model.Query] = _query;
            _inputs[model.Values] = _values;
            _inputs[model.Mask] = batch.Mask;
            _outputs = new RentedOutputs(model.Decoder.Outputs.Count);
            _ids = Tensor.Rent<int>(b, _maxSteps);
            _weights = Tensor.Rent<float>(b, _maxSteps, s);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Steps run so far.</summary>
    public int StepsRun { get; private set; }

    /// <summary>True once every source reached the end token or the model's step limit.</summary>
    public bool Finished => StepsRun == _maxSteps || Array.TrueForAll(_ended, e => e);

    /// <summary>
    /// Runs one decoder step. False when the step's context or weights are not finite (NaN or infinity), which JSON cannot
    /// carry; throws when the backend fails (the caller may decode again on another backend).
    /// </summary>
    public bool Step(CancellationToken cancellationToken)
    {
        if (StepsRun == _maxSteps) throw new InvalidOperationException($"the model's step limit ({_maxSteps}) is reached");
        _decoder.Run(_inputs, _outputs, cancellationToken);
        var weights = _outputs.Float(_model.Weights);
        var context = _outputs.Float(_model.Context);
        var state = _outputs.Float(_model.State);
        var logits = _outputs.Float(_model.Logits);
        var (b, s) = (_batch.Batch, _batch.Length);
        if (StepsRun == 0) CheckShapes(weights, context, state, logits);
        _context ??= Tensor.Rent<float>(b, _maxSteps, context.Shape[1]);
        var dv = context.Shape[1];
        var vocabulary = logits.Shape[1];
        var token = _token.Span;
        for (var item = 0; item < b; item++)
        {
            var scores = logits.Span.Slice(item * vocabulary, vocabulary);
            var next = TensorPrimitives.IndexOfMax<float>(scores);
            token[item] = next;
            if (_ended[item]) continue;
            var itemWeights = weights.Span.Slice(item * s, s);
            var itemContext = context.Span.Slice(item * dv, dv);
            if (!TensorPrimitives.IsFiniteAll<float>(itemWeights) || !TensorPrimitives.IsFiniteAll<float>(itemContext)) return false;
            var at = item * _maxSteps + StepsRun;
            itemWeights.CopyTo(_weights.Span.Slice(at * s, s));
            itemContext.CopyTo(_context.Span.Slice(at * dv, dv));
            _ids.Span[at] = next;
            _steps[item]++;
            _ended[item] = next == _model.Vocabulary.EndId;
        }
        state.Span.CopyTo(_query.Span);
        StepsRun++;
        return true;
    }

    /// <summary>Each source's decoding: its tokens, text and stop reason, and its weights and context cut to its own steps and length.</summary>
    public DecodedSource[] Results()
    {
        var vocabulary = _model.Vocabulary;
        var (b, s) = (_batch.Batch, _batch.Length);
        var dv = _context!.Shape[2];
        var results = new DecodedSource[b];
        for (var item = 0; item < b; item++)
        {
            var steps = _steps[item];
            var length = _batch.Lengths[item];
            var ids = _ids.Span.Slice(item * _maxSteps, steps);
            var weights = Tensor.Rent<float>(steps, length);
            var context = Tensor.Rent<float>(steps, dv);
            for (var step = 0; step < steps; step++)
            {
                var at = item * _maxSteps + step;
                _weights.Span.Slice(at * s, length).CopyTo(weights.Span.Slice(step * length, length));
                _context.Span.Slice(at * dv, dv).CopyTo(context.Span.Slice(step * dv, dv));
            }
            var outputTokens = new string[steps];
            for (var step = 0; step < steps; step++) outputTokens[step] = vocabulary.Target[ids[step]];
            results[item] = new DecodedSource(_batch.SourceTokens(vocabulary, item), outputTokens, vocabulary.Decode(ids),
                _ended[item] ? StopReason.End : StopReason.MaxSteps, weights, context);
        }
        return results;
    }

    private void CheckShapes(TensorView<float> weights, TensorView<float> context, TensorView<float> state, TensorView<float> logits)
    {
        var (b, s) = (_batch.Batch, _batch.Length);
        void Expect(TensorView<float> tensor, int role, string expected, bool fits)
        {
            if (!fits)
                throw new InvalidDataException(
                    $"{_model.DecoderFile}: output '{_model.Decoder.Outputs[role].Name}' came out {Tensor.ShapeText(tensor.Shape)}, the decode loop reads it as {expected}");
        }
        Expect(weights, _model.Weights, $"[{b}, {s}]", weights.Shape[0] == b && weights.Shape[1] == s);
        Expect(context, _model.Context, $"[{b}, dv]", context.Shape[0] == b);
        Expect(state, _model.State, Tensor.ShapeText(_query.Shape), state.Shape.AsSpan().SequenceEqual(_query.Shape));
        Expect(logits, _model.Logits, $"[{b}, {_model.Vocabulary.Target.Count}]", logits.Shape[0] == b && logits.Shape[1] == _model.Vocabulary.Target.Count);
    }

    /// <summary>Values <c>[batch, src, dv]</c> (zero at padding) and the first query <c>[batch, hidden]</c>, from one encoder run per source length.</summary>
    private static (Tensor<float> Values, Tensor<float> Query) Encode(Seq2SeqModel model, IModelBackend encoder, SourceBatch batch, CancellationToken cancellationToken)
    {
        var (b, s) = (batch.Batch, batch.Length);
        Tensor<float>? values = null, query = null;
        try
        {
            foreach (var group in Enumerable.Range(0, b).GroupBy(item => batch.Lengths[item]))
            {
                var items = group.ToArray();
                var length = group.Key;
                using var tokens = Tensor.Rent<long>(items.Length, length);
                for (var i = 0; i < items.Length; i++)
                    batch.Tokens.Span.Slice(items[i] * s, length).CopyTo(tokens.Span.Slice(i * length, length));
                var inputs = new TensorView[1];
                inputs[model.Tokens] = tokens;
                using var outputs = encoder.RunRented(inputs, cancellationToken);
                var groupValues = outputs.Float(model.EncoderValues);
                var groupState = outputs.Float(model.EncoderState);
                if (groupValues.Rank != 3 || groupValues.Shape[0] != items.Length || groupValues.Shape[1] != length
                    || groupState.Rank != 2 || groupState.Shape[0] != items.Length)
                    throw new InvalidDataException(
                        $"{model.EncoderFile}: for tokens [{items.Length}, {length}] it answered values {Tensor.ShapeText(groupValues.Shape)} and state {Tensor.ShapeText(groupState.Shape)}; " +
                        $"the decode loop reads [{items.Length}, {length}, dv] and [{items.Length}, hidden]");
                var dv = groupValues.Shape[2];
                var hidden = groupState.Shape[1];
                if (values is null)
                {
                    values = Tensor.Rent<float>(b, s, dv);
                    values.Span.Clear();
                    query = Tensor.Rent<float>(b, hidden);
                }
                else if (values.Shape[2] != dv || query!.Shape[1] != hidden)
                    throw new InvalidDataException($"{model.EncoderFile}: sources of different lengths came out with different value or state widths");
                for (var i = 0; i < items.Length; i++)
                {
                    groupValues.Span.Slice(i * length * dv, length * dv).CopyTo(values.Span.Slice(items[i] * s * dv, length * dv));
                    groupState.Span.Slice(i * hidden, hidden).CopyTo(query!.Span.Slice(items[i] * hidden, hidden));
                }
            }
            return (values!, query!);
        }
        catch
        {
            values?.Dispose();
            query?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _values?.Dispose();
        _query?.Dispose();
        _token?.Dispose();
        _outputs?.Dispose();
        _ids?.Dispose();
        _weights?.Dispose();
        _context?.Dispose();
    }
}
