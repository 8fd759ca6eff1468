using AttentionService.Backends.OnnxRuntime;
using AttentionService.Core.Backends;
using AttentionService.Registry;
using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>
/// <c>Attention:Backend=Onnx</c> (ONNX Runtime only) where ONNX Runtime cannot run at all (a managed-only build, a missing
/// native library) stops the start with one line, rather than a service that is up and serves nothing. Under <c>Auto</c>
/// the managed backend serves, and the absence is reported (a log line, /models, readiness).
/// </summary>
/// <remarks>
/// Asks <see cref="NativeLibraryProbe"/> itself, not the backend factories: building those needs the logger, whose set-up
/// reads the very options being validated here.
/// </remarks>
public sealed class BackendAvailableValidator : IValidateOptions<AttentionOptions>
{
    public ValidateOptionsResult Validate(string? name, AttentionOptions options) =>
        options.Backend == BackendPolicy.Onnx && NativeLibraryProbe.FailureReason is { } reason
            ? ValidateOptionsResult.Fail($"{AttentionOptions.SectionName}:{nameof(AttentionOptions.Backend)} is {options.Backend}, " +
                $"but the {BackendKind.Onnx.ToWireName()} backend is not available: {reason}; allowed here: {BackendPolicy.Auto}, {BackendPolicy.Managed}")
            : ValidateOptionsResult.Success;
}
