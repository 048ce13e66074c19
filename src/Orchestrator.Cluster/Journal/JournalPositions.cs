using System.Data.Common;
using Akka.Configuration;
using static Orchestrator.Cluster.Journal.SqlConnections;

namespace Orchestrator.Cluster.Journal;

/// <summary>
/// Reads positions in the SQL journal: the global <c>ordering</c> of an event, which is the
/// resourceVersion of the object it wrote (as etcd's revision is the position in its log), and the
/// journal head, which a consistent list waits for. Akka.Persistence does not hand the ordering
/// back to a writer, so the entity reads it once per write, by primary key.
/// </summary>
public interface IJournalPositions
{
    /// <summary>The ordering of event <paramref name="sequenceNr"/> of <paramref name="persistenceId"/>.</summary>
    Task<long> PositionOf(string persistenceId, long sequenceNr, CancellationToken cancellationToken = default);

    /// <summary>The highest ordering of an event carrying the index's tag (0 when there is none).</summary>
    Task<long> Head(CancellationToken cancellationToken = default);
}

/// <summary><see cref="IJournalPositions"/> over the journal table of Akka.Persistence.Sql (SQLite or PostgreSQL).</summary>
public sealed class SqlJournalPositions : IJournalPositions
{
    private readonly Func<DbConnection> _connect;
    private readonly string _positionSelect;
    private readonly string _persistenceIdColumn;
    private readonly string _sequenceNrColumn;
    private readonly string _headSql;
    private readonly string _tagParameter;

    public SqlJournalPositions(Config config)
        : this(config, null)
    {
    }

    /// <param name="connect">Opens connections to the journal's database (default: the journal plugin's own connection string and provider).</param>
    internal SqlJournalPositions(Config config, Func<DbConnection>? connect)
    {
        ArgumentNullException.ThrowIfNull(config);
        var schema = JournalSchema.Of(config);
        _positionSelect = $"SELECT {schema.PersistenceId}, {schema.SequenceNr}, {schema.Ordering} FROM {schema.Journal}";
        _persistenceIdColumn = schema.PersistenceId;
        _sequenceNrColumn = schema.SequenceNr;
        // The head is the newest event carrying the index's tag: other streams (the sharding
        // coordinator's) share the journal, and the index only ever sees tagged events.
        _headSql = schema.NewestTaggedSql;
        _tagParameter = schema.NewestTaggedParameter(config.GetString("orchestrator.index.tag"));
        _connect = connect ?? schema.Connect;
    }

    private sealed record Lookup(string PersistenceId, long SequenceNr, TaskCompletionSource<long> Result);

    private sealed record HeadRequest(TaskCompletionSource<long> Result);

    private readonly System.Threading.Channels.Channel<object> _lookups =
        System.Threading.Channels.Channel.CreateUnbounded<object>(new() { SingleReader = true });

    private Thread? _reader;

    /// <summary>
    /// Lookups are answered in batches by one dedicated thread: one query serves every write that
    /// completed meanwhile, and the blocking SQLite driver never occupies thread-pool threads
    /// (which would starve the actors and the cluster's heartbeats under load).
    /// </summary>
    public Task<long> PositionOf(string persistenceId, long sequenceNr, CancellationToken cancellationToken = default)
    {
        EnsureReader();
        var lookup = new Lookup(persistenceId, sequenceNr, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        _lookups.Writer.TryWrite(lookup); // unbounded and never completed: always accepted
        return lookup.Result.Task.WaitAsync(cancellationToken);
    }

    private void EnsureReader()
    {
        if (_reader is not null) return;
        lock (_lookups)
        {
            if (_reader is not null) return;
            _reader = new Thread(ReadLoop) { IsBackground = true, Name = "journal-positions" };
            _reader.Start();
        }
    }

    /// <remarks>
    /// Every failure of a read fails the requests it was to answer, never this thread: it is the
    /// only reader, so an exception escaping it would end the process (an unhandled exception on a
    /// thread) or, caught elsewhere, leave every later write waiting for its position forever. While
    /// the journal's connection breaks, the drivers throw more than DbException: Npgsql throws a
    /// bare IOException ("The operation is not allowed on non-connected sockets") or SocketException
    /// when a connection it is opening is reset; such a failure ended a member during an outage.
    /// The callers decide what a failure means (<see cref="SqlConnections.IsUnavailable"/>).
    /// </remarks>
    private void ReadLoop()
    {
        var batch = new List<Lookup>(MaxBatch);
        var heads = new List<HeadRequest>();
        while (WaitForRequests())
        {
            batch.Clear();
            heads.Clear();
            while (batch.Count < MaxBatch && _lookups.Reader.TryRead(out var request))
            {
                if (request is Lookup lookup) batch.Add(lookup);
                else heads.Add((HeadRequest)request);
            }
            if (heads.Count > 0)
            {
                try
                {
                    var head = ReadHead();
                    foreach (var h in heads) h.Result.TrySetResult(head);
                }
                catch (Exception e)
                {
                    foreach (var h in heads) h.Result.TrySetException(e);
                }
            }
            if (batch.Count == 0) continue;
            try
            {
                var found = ReadBatch(batch);
                foreach (var lookup in batch)
                {
                    if (found.TryGetValue((lookup.PersistenceId, lookup.SequenceNr), out var ordering)) lookup.Result.TrySetResult(ordering);
                    else lookup.Result.TrySetException(new InvalidOperationException($"event {lookup.SequenceNr} of {lookup.PersistenceId} is not in the journal"));
                }
            }
            catch (Exception e)
            {
                foreach (var lookup in batch) lookup.Result.TrySetException(e);
            }
        }
    }

    private const int MaxBatch = 200;

    /// <summary>
    /// Blocks this thread until a request comes (false: the channel was completed). Waits on the
    /// task's wait handle, not with Task.Wait, which spins first: between two bursts of writes that
    /// spinning cost the node a few percent of its CPU.
    /// </summary>
    private bool WaitForRequests()
    {
        var waiting = _lookups.Reader.WaitToReadAsync();
        if (waiting.IsCompletedSuccessfully) return waiting.Result;
        var task = waiting.AsTask();
        ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
        return task.GetAwaiter().GetResult();
    }

    private Dictionary<(string, long), long> ReadBatch(List<Lookup> batch)
    {
        using var connection = _connect();
        connection.Open();
        using var command = connection.CreateCommand();
        var conditions = new System.Text.StringBuilder();
        for (var i = 0; i < batch.Count; i++)
        {
            if (i > 0) conditions.Append(" OR ");
            conditions.Append(System.Globalization.CultureInfo.InvariantCulture, $"({_persistenceIdColumn} = @p{i} AND {_sequenceNrColumn} = @s{i})");
            AddParameter(command, $"@p{i}", batch[i].PersistenceId);
            AddParameter(command, $"@s{i}", batch[i].SequenceNr);
        }
        command.CommandText = $"{_positionSelect} WHERE {conditions}";
        var found = new Dictionary<(string, long), long>(batch.Count);
        using var reader = command.ExecuteReader();
        while (reader.Read())
            found[(reader.GetString(0), Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture))] = Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture);
        return found;
    }

    /// <summary>Answered on the same dedicated thread; concurrent callers share one query.</summary>
    public Task<long> Head(CancellationToken cancellationToken = default)
    {
        EnsureReader();
        var request = new HeadRequest(new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        _lookups.Writer.TryWrite(request);
        return request.Result.Task.WaitAsync(cancellationToken);
    }

    private long ReadHead()
    {
        using var connection = _connect();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = _headSql;
        AddParameter(command, "@tag", _tagParameter);
        try
        {
            var result = command.ExecuteScalar();
            return result is null or DBNull ? 0 : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DbException e) when (IsMissingTable(e))
        {
            return 0; // nothing was ever written: the journal creates its tables on first use
        }
    }
}
