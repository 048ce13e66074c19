using System.Data.Common;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

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
    private readonly string _positionSql;
    private readonly string _headSql;
    private readonly string _tag;

    public SqlJournalPositions(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var journal = config.GetConfig("akka.persistence.journal.sql");
        var connectionString = journal.GetString("connection-string");
        var provider = journal.GetString("provider-name") ?? "";
        var mapping = journal.GetString("table-mapping", "default");
        var table = journal.GetConfig(mapping).GetConfig("journal");
        var schema = journal.GetConfig(mapping).GetString("schema-name");
        var tableName = Quote(table.GetString("table-name"));
        if (!string.IsNullOrEmpty(schema) && schema != "null") tableName = $"{Quote(schema)}.{tableName}";
        var columns = table.GetConfig("columns");
        var ordering = Quote(columns.GetString("ordering"));
        var persistenceId = Quote(columns.GetString("persistence-id"));
        var sequenceNr = Quote(columns.GetString("sequence-number"));

        _positionSql = $"SELECT {ordering} FROM {tableName} WHERE {persistenceId} = @pid AND {sequenceNr} = @seq";
        // The head is read from the tag table: other streams (the sharding coordinator's) share the
        // journal, and the index only ever sees tagged events.
        var tag = journal.GetConfig(mapping).GetConfig("tag");
        var tagTable = Quote(tag.GetString("table-name"));
        if (!string.IsNullOrEmpty(schema) && schema != "null") tagTable = $"{Quote(schema)}.{tagTable}";
        var tagColumns = tag.GetConfig("columns");
        _headSql = $"SELECT COALESCE(MAX({Quote(tagColumns.GetString("ordering-id"))}), 0) FROM {tagTable} WHERE {Quote(tagColumns.GetString("tag-value"))} = @tag";
        _tag = config.GetString("orchestrator.index.tag");
        _connect = provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase)
            ? () => new SqliteConnection(connectionString)
            : provider.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase)
                ? () => new NpgsqlConnection(connectionString)
                : throw new NotSupportedException($"journal provider '{provider}' is not supported: use SQLite.MS or PostgreSQL.15");
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public async Task<long> PositionOf(string persistenceId, long sequenceNr, CancellationToken cancellationToken = default)
    {
        await using var connection = _connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = _positionSql;
        AddParameter(command, "@pid", persistenceId);
        AddParameter(command, "@seq", sequenceNr);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull
            ? throw new InvalidOperationException($"event {sequenceNr} of {persistenceId} is not in the journal")
            : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<long> Head(CancellationToken cancellationToken = default)
    {
        await using var connection = _connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = _headSql;
        AddParameter(command, "@tag", _tag);
        try
        {
            var result = await command.ExecuteScalarAsync(cancellationToken);
            return result is null or DBNull ? 0 : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DbException e) when (IsMissingTable(e))
        {
            return 0; // nothing was ever written: the journal creates its tables on first use
        }
    }

    private static bool IsMissingTable(DbException e) =>
        e is SqliteException { SqliteErrorCode: 1 } && e.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase)
        || e is PostgresException { SqlState: "42P01" };

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
