namespace AttentionService.Registry;

/// <summary>
/// A model folder's files at one look, summed up so two looks compare by value: how many there are, and a hash of
/// each one's name and <see cref="FileFacts"/>. A file added, removed, rewritten or swapped changes it.
/// </summary>
public readonly record struct FolderDigest(int Files, long Hash)
{
    /// <summary>The digest of <paramref name="directory"/>'s entries but <paramref name="except"/>; an unlistable folder digests as empty.</summary>
    public static FolderDigest Of(string directory, string except, Func<string, FileFacts?> examine)
    {
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FolderDigest(0, 0);
        }
        Array.Sort(entries, StringComparer.Ordinal);
        var hash = new HashCode();
        var files = 0;
        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            if (name == except) continue;
            files++;
            hash.Add(name, StringComparer.Ordinal);
            hash.Add(examine(entry));
        }
        return new FolderDigest(files, hash.ToHashCode());
    }
}
