using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orchestrator.TestSupport;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>A journal for one test: its HOCON (persistence wired to it) and its clean-up.</summary>
public interface IJournalProvider : IAsyncDisposable
{
    /// <summary>Why the provider cannot run here (null when it can).</summary>
    string? Unavailable { get; }

    string PersistenceHocon { get; }

    /// <summary>Rows in the snapshot table (to see that snapshots are taken).</summary>
    Task<long> SnapshotRows();
}

/// <summary>A SQLite file in a temporary folder, in WAL mode as the node uses it.</summary>
public sealed class SqliteJournal : IJournalProvider
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-journal-").FullName;

    public string ConnectionString => $"Data Source={Path.Combine(_folder, "journal.db")};Default Timeout=30";

    public SqliteJournal()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    public string? Unavailable => null;

    public string PersistenceHocon => TestHocon.SqlJournal(ConnectionString, "SQLite.MS");

    public async Task<long> SnapshotRows()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM snapshot";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>A fresh schema in the shared PostgreSQL database, dropped afterwards.</summary>
public sealed class PostgresJournal : IJournalProvider
{
    private readonly string _schema = "test_" + Guid.NewGuid().ToString("N")[..12];

    public string? Unavailable { get; } = RealParts.PostgresUnavailable;

    public PostgresJournal()
    {
        if (Unavailable is not null) return;
        using var connection = new NpgsqlConnection(RealParts.PostgresConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE SCHEMA \"{_schema}\"";
        command.ExecuteNonQuery();
    }

    public string PersistenceHocon => TestHocon.SqlJournal(RealParts.PostgresConnectionString, "PostgreSQL.15", _schema);

    public async Task<long> SnapshotRows()
    {
        await using var connection = new NpgsqlConnection(RealParts.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{_schema}\".snapshot";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Unavailable is not null) return;
        await using var connection = new NpgsqlConnection(RealParts.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP SCHEMA \"{_schema}\" CASCADE";
        await command.ExecuteNonQueryAsync();
    }
}
