namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// A kernel call with its arguments, runnable at any vector width: <see cref="VectorDispatch"/> picks the width and
/// calls <see cref="Run{TSimd, TVector}"/> once. Bodies are <c>ref struct</c>s holding their spans, passed as type
/// arguments, so each width's path is specialized by the JIT and nothing is boxed.
/// </summary>
internal interface IVectorBody
{
    void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct;
}
