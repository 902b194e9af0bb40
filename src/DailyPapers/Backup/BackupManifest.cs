using System.Text.Json;
using System.Text.Json.Serialization;

namespace DailyPapers.Backup;

/// <summary>One file in a backup archive, with what restore checks it against.</summary>
public sealed record BackupFile(string Path, long Bytes, string Sha256);

/// <summary>
/// <c>manifest.json</c>, the first entry of a backup archive: what made it, from which engine and schema, the row count
/// of every table in the copied database (read from the copy itself, so they are the copy's), and every other file
/// with its size and SHA-256. Restore refuses an archive whose files do not match it.
/// </summary>
public sealed record BackupManifest
{
    public const string FileName = "manifest.json";
    public const string FormatName = "dailypapers-backup";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public required string AppVersion { get; init; }
    /// <summary>sqlite or postgres.</summary>
    public required string Engine { get; init; }
    /// <summary>The newest migration applied to the copied database.</summary>
    public required string Schema { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required SortedDictionary<string, long> Counts { get; init; }
    public required List<BackupFile> Files { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The manifest in <paramref name="json"/>; a <see cref="BackupException"/> when it is not one this build reads.</summary>
    public static BackupManifest Parse(ReadOnlySpan<byte> json)
    {
        BackupManifest? m;
        try { m = JsonSerializer.Deserialize<BackupManifest>(json, Json); }
        catch (JsonException ex) { throw new BackupException($"the archive's {FileName} is not valid: {ex.Message}"); }
        if (m is null || m.Format != FormatName) throw new BackupException($"this is not a DailyPapers backup (its {FileName} does not say \"{FormatName}\")");
        if (m.Version > CurrentVersion) throw new BackupException($"the backup has format version {m.Version}; this DailyPapers reads up to {CurrentVersion}: upgrade it first");
        return m;
    }
}

/// <summary>A backup or restore that cannot go ahead, with the reason in words; nothing was written.</summary>
public sealed class BackupException(string message, int exitCode = BackupException.BadInput) : Exception(message)
{
    /// <summary>Bad input: no such file, a damaged or truncated archive, a data dir that is not empty.</summary>
    public const int BadInput = 1;
    /// <summary>pg_dump or pg_restore is missing or failed.</summary>
    public const int ToolFailed = 4;

    public int ExitCode { get; } = exitCode;
}
