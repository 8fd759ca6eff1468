namespace AttentionService.Tests.Managed;

/// <summary>The vector widths each kernel has a path for; tests run every path, not only the one this CPU picks.</summary>
public enum KernelWidth
{
    Lanes16,
    Lanes8,
    Lanes4,
    Scalar,
}
