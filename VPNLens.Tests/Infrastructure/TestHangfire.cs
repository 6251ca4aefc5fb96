using Hangfire;
using Hangfire.Storage;
using Hangfire.Storage.SQLite;

namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// A real Hangfire storage (SQLite, the app's default) in a fresh temporary folder with a recurring job manager over
/// it, for tests that do not host the app; no server runs its jobs.
/// </summary>
public sealed class TestHangfire : IDisposable
{
    private readonly string directory;
    private readonly SQLiteStorage storage;

    public TestHangfire()
    {
        directory = Directory.CreateTempSubdirectory("vpnlens-hangfire-").FullName;
        storage = new SQLiteStorage(Path.Combine(directory, "hangfire.db"));
        Manager = new RecurringJobManager(storage);
    }

    public RecurringJobManager Manager { get; }

    public JobStorage Storage => storage;

    /// <summary>The recurring jobs a storage holds, as the dashboard lists them.</summary>
    public static List<RecurringJobDto> RecurringJobs(JobStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs();
    }

    public void Dispose()
    {
        storage.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // the OS cleans the temp folder
        }
    }
}
