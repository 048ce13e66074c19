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

    /// <summary>
    /// Everything the journal stores, as bytes, for tests that look for what must not be there:
    /// the SQLite files themselves (database and write-ahead log); for PostgreSQL every row of the
    /// journal and snapshot tables as text and their payload columns' raw bytes.
    /// </summary>
    Task<byte[]> RawBytes();
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

    public async Task<byte[]> RawBytes()
    {
        var bytes = new List<byte>();
        foreach (var file in Directory.GetFiles(_folder))
        {
            // Shared read: the journal may be open in this process still.
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            bytes.AddRange(copy.ToArray());
        }
        return [.. bytes];
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

    public async Task<byte[]> RawBytes()
    {
        var bytes = new List<byte>();
        await using var connection = new NpgsqlConnection(RealParts.PostgresConnectionString);
        await connection.OpenAsync();
        foreach (var (table, payload) in new[] { ("journal", "message"), ("snapshot", "snapshot") })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT t::text, t.{payload} FROM \"{_schema}\".{table} t";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(reader.GetString(0)));
                bytes.AddRange(reader.GetFieldValue<byte[]>(1));
            }
        }
        return [.. bytes];
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
