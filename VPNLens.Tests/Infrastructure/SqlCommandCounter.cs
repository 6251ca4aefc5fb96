using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace VPNLens.Tests.Infrastructure;

/// <summary>
/// Counts the SQL commands EF Core sends to one test database (told apart from other tests' by its connection
/// string), and the transactions it commits there, from EF Core's diagnostic events, so a test can say how many
/// queries or commits something costs.
/// </summary>
public sealed class SqlCommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly Func<string?> marker;
    private readonly IDisposable allListeners;
    private readonly List<IDisposable> subscriptions = [];
    private static readonly AsyncLocal<SqlCommandCounter?> CountedFlow = new();
    private int count;
    private int flowReads;
    private int commits;
    private Action? beforeSecondFlowRead;

    /// <summary>
    /// Start counting before the app creates its first context: a pooled context keeps EF's answer to "is anyone
    /// listening" for a second, so a counter that subscribes later misses the commands of contexts made before it.
    /// </summary>
    /// <param name="marker">The test database's marker, or null while it does not exist yet (nothing is counted then).</param>
    public SqlCommandCounter(Func<string?> marker)
    {
        ArgumentNullException.ThrowIfNull(marker);
        this.marker = marker;
        allListeners = DiagnosticListener.AllListeners.Subscribe(this);
    }

    public int Count => Volatile.Read(ref count);

    /// <summary>The queries (text starting with SELECT) sent from the flow marked by <see cref="CountThisFlow"/> since.</summary>
    public int FlowReads => Volatile.Read(ref flowReads);

    public int Commits => Volatile.Read(ref commits);

    public void Reset()
    {
        Volatile.Write(ref count, 0);
        Volatile.Write(ref commits, 0);
    }

    /// <summary>
    /// Marks the caller's async flow (what it awaits from here on): <see cref="FlowReads"/> counts its queries alone,
    /// not those of the app's background services on the same database.
    /// </summary>
    public void CountThisFlow()
    {
        Volatile.Write(ref flowReads, 0);
        CountedFlow.Value = this;
    }

    /// <summary>
    /// Runs <paramref name="action"/> once, just before the marked flow's second query is sent: another writer acting
    /// between two reads. Its own commands run in the flow (they are counted) and must be synchronous.
    /// </summary>
    public void BeforeSecondFlowRead(Action action) => Volatile.Write(ref beforeSecondFlowRead, action);

    public void Dispose()
    {
        allListeners.Dispose();
        lock (subscriptions)
        {
            subscriptions.ForEach(s => s.Dispose());
            subscriptions.Clear();
        }
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (subscriptions)
            {
                subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.CommandExecuting.Name && value.Value is CommandEventData data && Ours(data.Command.Connection))
        {
            Interlocked.Increment(ref count);
            if (CountedFlow.Value == this && data.Command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
                && Interlocked.Increment(ref flowReads) == 2 && Interlocked.Exchange(ref beforeSecondFlowRead, null) is { } action)
            {
                action();
            }
        }
        else if (value.Key == RelationalEventId.TransactionCommitting.Name && value.Value is TransactionEventData transaction
            && Ours(transaction.Transaction.Connection))
        {
            Interlocked.Increment(ref commits);
        }
    }

    private bool Ours(System.Data.Common.DbConnection? connection) =>
        marker() is { } ours && connection?.ConnectionString.Contains(ours, StringComparison.Ordinal) == true;

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }
}
