using AttentionService.Hosting;
using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>
/// The host's own <c>shutdownTimeoutSeconds</c> (e.g. <c>DOTNET_SHUTDOWNTIMEOUTSECONDS</c>) would be overridden by
/// <see cref="ShutdownBudget"/> without a word; refusing it keeps one key per setting and no setting that does nothing.
/// </summary>
public sealed class ShutdownBudgetValidator(IConfiguration configuration) : IValidateOptions<AttentionOptions>
{
    public ValidateOptionsResult Validate(string? name, AttentionOptions options) =>
        configuration[ShutdownBudget.HostTimeoutKey] is { } value
            ? ValidateOptionsResult.Fail(
                $"{ShutdownBudget.HostTimeoutKey} (DOTNET_SHUTDOWNTIMEOUTSECONDS) is {value}, which the service does not use; allowed: unset. " +
                $"The host shutdown timeout is Attention:ShutdownDrainSeconds + Attention:RequestTimeoutSeconds + {ShutdownBudget.HostMarginSeconds} s, " +
                $"now {ShutdownBudget.HostTimeoutSeconds(options)} s")
            : ValidateOptionsResult.Success;
}
