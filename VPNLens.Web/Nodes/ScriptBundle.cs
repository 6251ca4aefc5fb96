using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace VPNLens.Web.Nodes;

/// <summary>The node scripts shipped with the app, packed once as a .tar.gz with a SHA-256 manifest hash.</summary>
public sealed class ScriptBundle
{
    private ScriptBundle(byte[] archive, string sha256)
    {
        Archive = archive;
        Sha256 = sha256;
    }

    public byte[] Archive { get; }

    /// <summary>Hash over every file's relative path and content; equal on the node means nothing to upload.</summary>
    public string Sha256 { get; }

    public static ScriptBundle FromDirectory(string directory)
    {
        if (!File.Exists(Path.Combine(directory, "run.sh")))
        {
            throw new DirectoryNotFoundException($"The node scripts are missing: no run.sh in {directory}.");
        }

        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Relative: Path.GetRelativePath(directory, f).Replace('\\', '/')))
            .Where(f => !f.Relative.StartsWith("lab/", StringComparison.Ordinal) && !f.Relative.StartsWith("test/", StringComparison.Ordinal))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (full, relative) in files)
            {
                var content = File.ReadAllBytes(full);
                hash.AppendData(Encoding.UTF8.GetBytes(relative + "\n"));
                hash.AppendData(content);
                var entry = new PaxTarEntry(TarEntryType.RegularFile, relative)
                {
                    Mode = relative.EndsWith(".sh", StringComparison.Ordinal)
                        ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                        : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
                    DataStream = new MemoryStream(content),
                };
                tar.WriteEntry(entry);
            }
        }

        return new ScriptBundle(output.ToArray(), Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
