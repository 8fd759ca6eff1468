using AttentionService.Configuration;

namespace AttentionService.Hosting;

/// <summary>
/// The one shutdown budget. After SIGTERM the service drains (<see cref="AttentionOptions.ShutdownDrainSeconds"/>),
/// then lets in-flight requests run out their <see cref="AttentionOptions.RequestTimeoutSeconds"/>, then needs
/// <see cref="HostMarginSeconds"/> to write the last answers and stop; that sum is the host's shutdown timeout. Whatever
/// stops the container must wait the host timeout plus <see cref="ExitMarginSeconds"/> (and any preStop pause before
/// SIGTERM) before it kills: docker-compose.yml's <c>stop_grace_period</c> and deploy/base/deployment.yaml's
/// <c>terminationGracePeriodSeconds</c> are checked against this by ShutdownBudgetTests.
/// </summary>
public static class ShutdownBudget
{
    /// <summary>After the longest request's timeout: writing its answer, stopping the hosted services and the listener.</summary>
    public const int HostMarginSeconds = 5;

    /// <summary>After the host timeout, before a SIGKILL: the process disposes its sessions and flushes its logs.</summary>
    public const int ExitMarginSeconds = 5;

    /// <summary>The host's own configuration key for its shutdown timeout, which this budget replaces.</summary>
    public const string HostTimeoutKey = "shutdownTimeoutSeconds";

    public static int HostTimeoutSeconds(AttentionOptions options) =>
        options.ShutdownDrainSeconds + options.RequestTimeoutSeconds + HostMarginSeconds;

    /// <summary>The least grace a container stopper must give: the preStop pause, the host timeout and the exit margin.</summary>
    public static int StopGraceSeconds(AttentionOptions options, int preStopSeconds = 0) =>
        preStopSeconds + HostTimeoutSeconds(options) + ExitMarginSeconds;
}
