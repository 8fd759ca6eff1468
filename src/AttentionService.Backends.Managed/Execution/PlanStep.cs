using AttentionService.Backends.Managed.Operators;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// One operator in the plan: the slots it reads (-1 for an absent optional input), the slots it writes, whether it
/// runs once when a workspace is planned (<see cref="Folded"/>: every value it reads is known before the run) rather
/// than on every run, and the run-time intermediates that are dead once it has run, whose buffers later ones reuse.
/// </summary>
internal sealed record PlanStep(Operator Operator, int[] InputSlots, int[] OutputSlots, bool Folded, int[] ReleaseAfter);
