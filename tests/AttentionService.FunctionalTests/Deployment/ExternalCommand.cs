using System.Diagnostics;

namespace AttentionService.Tests.Deployment;

/// <summary>Runs a real program to completion and captures what it printed.</summary>
public static class ExternalCommand
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Transcript => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
    }

    public static Result Run(string program, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, string? standardInput = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory ?? Support.RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start '{program}'");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException(
                $"'{program} {string.Join(' ', start.ArgumentList)}' ran longer than {timeout.TotalSeconds:0} s; " +
                $"output so far:\n{stdout.Result}\n{stderr.Result}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null when it is not installed.</summary>
    public static string? Find(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
    }
}
