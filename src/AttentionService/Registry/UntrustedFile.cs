using System.Globalization;

namespace AttentionService.Registry;

/// <summary>
/// Reads a file of the models folder as untrusted input: only a regular file (after following symbolic links; a
/// FIFO, device, socket or directory is refused before it is opened), no longer than a limit checked from its length
/// and again while reading (a file that grows), within a time limit (a hung mount). Each refusal is an
/// <see cref="InvalidDataException"/> whose message names the file relative to the folder, never its absolute path.
/// </summary>
public static class UntrustedFile
{
    private const int Chunk = 1 << 20;

    /// <param name="path">Absolute path of the file.</param>
    /// <param name="fileName">The name clients see (relative to the models folder).</param>
    /// <param name="maxBytes">Largest length read.</param>
    /// <param name="limitSetting">The setting (or documented bound) named when the file is larger.</param>
    /// <param name="timeout">Longest the read may take; the reading thread is abandoned past it (a blocked read cannot be interrupted).</param>
    /// <param name="cancellationToken">Stops waiting for the read (e.g. on SIGTERM during start-up).</param>
    public static async Task<byte[]> ReadAsync(string path, string fileName, long maxBytes, string limitSetting, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await Bounded(() => Read(path, fileName, maxBytes, limitSetting), timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidDataException($"reading {fileName} did not finish within {timeout.TotalSeconds:0} s (Attention:Models:LoadTimeoutSeconds)");
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> (file-system calls that may block: a stalled network mount blocks even stat) on a
    /// dedicated thread, not one of the pool's, since a call that never returns keeps its thread for good; throws
    /// <see cref="TimeoutException"/> past <paramref name="timeout"/>, and stops waiting when <paramref name="cancellationToken"/> fires.
    /// </summary>
    private static async Task<T> Bounded<T>(Func<T> work, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            return await task.WaitAsync(timeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Abandoned: observe its eventual failure so it is not reported as unobserved.
            _ = task.ContinueWith(t => t.Exception, TaskScheduler.Default);
            throw;
        }
    }

    private static byte[] Read(string path, string fileName, long maxBytes, string limitSetting)
    {
        FileFacts named;
        try
        {
            named = FileFacts.Of(path) ?? throw new InvalidDataException($"{fileName} does not exist (or is a symbolic link to nothing)");
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{fileName} {e.Message}");
        }
        // Refused before opening: opening a FIFO blocks, and reading a device need never end.
        Check(named, fileName, maxBytes, limitSetting);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            // The name may have been swapped for a FIFO or device since it was examined: check what was opened.
            var facts = FileFacts.Of(stream.SafeFileHandle);
            Check(facts, fileName, maxBytes, limitSetting);
            var buffer = new byte[Math.Min(facts.Length, maxBytes) + 1];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes) throw TooLarge(fileName, length, maxBytes, limitSetting, grew: true);
                    Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1, Math.Max((long)buffer.Length * 2, Chunk)));
                }
                var count = stream.Read(buffer, length, Math.Min(Chunk, buffer.Length - length));
                if (count == 0) break;
                length += count;
            }
            if (length > maxBytes) throw TooLarge(fileName, length, maxBytes, limitSetting, grew: true);
            if (length != buffer.Length) Array.Resize(ref buffer, length);
            return buffer;
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{fileName} cannot be read: permission denied");
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{fileName} cannot be read: {Without(e.Message, path, fileName)}");
        }
    }

    private static void Check(FileFacts facts, string fileName, long maxBytes, string limitSetting)
    {
        if (facts.Kind != FileKind.Regular)
            throw new InvalidDataException($"{fileName} is {facts.Kind.Describe()}, not a regular file");
        if (facts.Length > maxBytes)
            throw TooLarge(fileName, facts.Length, maxBytes, limitSetting, grew: false);
    }

    private static InvalidDataException TooLarge(string fileName, long length, long maxBytes, string limitSetting, bool grew) =>
        new(grew
            ? $"{fileName} grew past the limit of {Bytes(maxBytes)} while being read ({limitSetting})"
            : $"{fileName} is {Bytes(length)}, the limit is {Bytes(maxBytes)} ({limitSetting})");

    /// <summary>"1932735283 bytes (1.8 GiB)": exact, and readable.</summary>
    private static string Bytes(long count) => count switch
    {
        >= 1L << 30 => $"{count} bytes ({(count / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture)} GiB)",
        >= 1L << 20 => $"{count} bytes ({(count / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture)} MiB)",
        _ => $"{count} bytes",
    };

    private static string Without(string message, string path, string fileName) => message.Replace(path, fileName, StringComparison.Ordinal);
}
