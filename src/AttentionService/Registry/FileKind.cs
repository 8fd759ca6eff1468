namespace AttentionService.Registry;

/// <summary>What a directory entry is, after following symbolic links: only <see cref="Regular"/> files are read.</summary>
public enum FileKind
{
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Unknown,
}

public static class FileKinds
{
    /// <summary>"a FIFO", "a directory": the kind as a sentence names it.</summary>
    public static string Describe(this FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        _ => "of an unknown type",
    };
}
