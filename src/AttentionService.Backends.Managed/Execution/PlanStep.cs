using AttentionService.Backends.Managed.Operators;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// One operator in the plan: the slots it reads, the slot it writes, and the intermediates that are dead once it
/// has run (their last reader, or its own output when nothing reads it), whose buffers later intermediates reuse.
/// </summary>
internal sealed record PlanStep(Operator Operator, int[] InputSlots, int OutputSlot, int[] ReleaseAfter);
