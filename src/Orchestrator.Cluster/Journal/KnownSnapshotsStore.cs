using System.Collections.Concurrent;
using System.Data.Common;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Sql.Snapshot;
using static Orchestrator.Cluster.Journal.SqlConnections;

namespace Orchestrator.Cluster.Journal;

/// <summary>
/// Akka.Persistence.Sql's snapshot store, minus the query for a snapshot that cannot exist. Every
/// new object is an entity whose recovery asks for its latest snapshot; an object gets one only
/// every <c>snapshot-every</c> events, so nearly every such query (one of the round trips of each
/// create) finds nothing. This store reads once, at start, which persistence ids have snapshots,
/// adds each id it saves one for, and answers "none" at once for the others.
///
/// Why that is safe in a cluster, where another member may have saved a snapshot since: the events
/// are never deleted, so a snapshot is only a shortcut. Missing one makes that entity's recovery
/// replay its events from the first instead of from the snapshot: the same state, more reads, and
/// from then on the id is known here once this member snapshots it.
/// </summary>
public sealed class KnownSnapshotsStore : SqlSnapshotStore
{
    private readonly ConcurrentDictionary<string, byte> _withSnapshots = new(StringComparer.Ordinal);
    private readonly Task<bool> _known;
    private readonly ILoggingAdapter _log;

    public KnownSnapshotsStore(Config config)
        : base(config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _log = Context.GetLogger();
        var connect = Factory(config);
        var mapping = TableMapping(config);
        var table = mapping.GetConfig("snapshot");
        var sql = $"SELECT DISTINCT {Quote(table.GetConfig("columns").GetString("persistence-id"))} FROM {Table(table.GetString("table-name"), mapping.GetString("schema-name"))}";
        _known = Task.Run(() => ReadKnown(connect, sql));
    }

    /// <summary>True when the ids are read; false when they could not be (then every load queries).</summary>
    private bool ReadKnown(Func<DbConnection> connect, string sql)
    {
        try
        {
            using var connection = connect();
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read()) _withSnapshots.TryAdd(reader.GetString(0), 0);
            return true;
        }
        catch (DbException e) when (IsMissingTable(e))
        {
            return true; // no table yet: no snapshot anywhere
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
        {
            _log.Warning(e, "could not read which objects have snapshots; every recovery will ask the snapshot table");
            return false;
        }
    }

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        if (await _known.ConfigureAwait(false) && !_withSnapshots.ContainsKey(persistenceId)) return null;
        return await base.LoadAsync(persistenceId, criteria, cancellationToken).ConfigureAwait(false);
    }

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        // Known before the write completes: a load racing it asks the table, which is always right.
        _withSnapshots.TryAdd(metadata.PersistenceId, 0);
        return base.SaveAsync(metadata, snapshot, cancellationToken);
    }
}
