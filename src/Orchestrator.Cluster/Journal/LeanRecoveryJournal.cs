using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Journal;
using static Orchestrator.Cluster.Journal.SqlConnections;

namespace Orchestrator.Cluster.Journal;

/// <summary>
/// Akka.Persistence.Sql's journal, with the one read every recovery makes, the highest sequence
/// number of a persistence id, as one plain SQL statement instead of a linq2db query. Every new
/// object (each pod, each Event) recovers before its first write, so this read is as frequent as
/// the creates; through linq2db each call builds a data connection and its mapping schema and
/// translates the expression, a visible share of the node's CPU (figures in the README).
/// The statement is the plugin's own (its native mode, <c>delete-compatibility-mode = off</c>, the
/// default: events are never deleted here), and, as the plugin does, it first waits for a write of
/// the same id still in flight. Writes, replays and everything else are the plugin's.
/// </summary>
public sealed class LeanRecoveryJournal : SqlWriteJournal
{
    private readonly ConcurrentDictionary<string, Task> _writing = new(StringComparer.Ordinal);
    private readonly Func<DbConnection> _connect;
    private readonly string _highest;
    private readonly string _highestAfter;

    public LeanRecoveryJournal(Config journalConfig)
        : base(journalConfig)
    {
        ArgumentNullException.ThrowIfNull(journalConfig);
        var config = journalConfig.WithFallback(SqlPersistence.DefaultJournalConfiguration);
        if (config.GetBoolean("delete-compatibility-mode"))
            throw new ConfigurationException($"{nameof(LeanRecoveryJournal)} reads sequence numbers from the journal table only: it needs delete-compatibility-mode = off");
        var schema = new JournalSchema(config);
        _connect = schema.Connect;
        _highest = $"SELECT MAX({schema.SequenceNr}) FROM {schema.Journal} WHERE {schema.PersistenceId} = @id";
        _highestAfter = _highest + $" AND {schema.SequenceNr} > @from";
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var batch = messages as IReadOnlyList<AtomicWrite> ?? messages.ToList();
        var write = base.WriteMessagesAsync(batch, cancellationToken);
        if (batch.Count > 0 && !write.IsCompleted)
        {
            var id = batch[0].PersistenceId; // the plugin's own bookkeeping keys a batch by its first id too
            _writing[id] = write;
            write.ContinueWith(done => _writing.TryRemove(new KeyValuePair<string, Task>(id, done)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return write;
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_writing.TryGetValue(persistenceId, out var write))
        {
            try
            {
                await write; // succeeded or failed, it must be over before the number is read
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
            }
        }
        await using var connection = _connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = fromSequenceNr == 0 ? _highest : _highestAfter;
        AddParameter(command, "@id", persistenceId);
        if (fromSequenceNr != 0) AddParameter(command, "@from", fromSequenceNr);
        try
        {
            var result = await command.ExecuteScalarAsync(cancellationToken);
            return result is null or DBNull ? 0 : Convert.ToInt64(result, CultureInfo.InvariantCulture);
        }
        catch (DbException e) when (IsMissingTable(e))
        {
            return 0; // nothing was ever written: the plugin creates its tables on first use
        }
    }
}
