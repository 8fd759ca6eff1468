using System.Runtime.CompilerServices;
using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>The tensors handed to one operator, held inline on the stack so a step allocates no argument array.</summary>
[InlineArray(PlanCompiler.MaxArity)]
internal struct OperatorArguments
{
    private TensorView<float> _first;
}
