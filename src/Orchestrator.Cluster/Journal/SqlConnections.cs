using System.Data.Common;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Orchestrator.Cluster.Journal;

/// <summary>
/// Plain ADO.NET access to the tables of Akka.Persistence.Sql, for the few reads its API does not
/// offer (journal positions, which objects have snapshots): connections for its provider names,
/// quoted identifiers, and the error a table that was never created gives.
/// </summary>
internal static class SqlConnections
{
    public static Func<DbConnection> Factory(string connectionString, string provider) =>
        provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase)
            ? () => new SqliteConnection(connectionString)
            : provider.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase)
                ? () => new NpgsqlConnection(connectionString)
                : throw new NotSupportedException($"journal provider '{provider}' is not supported: use SQLite.MS or PostgreSQL.15");

    /// <summary>Connections for a plugin's own block (journal or snapshot store): its connection string and provider.</summary>
    public static Func<DbConnection> Factory(Config plugin) =>
        Factory(plugin.GetString("connection-string"), plugin.GetString("provider-name") ?? "");

    /// <summary>A plugin's table mapping (<c>table-mapping</c>, "default" unless set): table, column and schema names.</summary>
    public static Config TableMapping(Config plugin) => plugin.GetConfig(plugin.GetString("table-mapping", "default"));

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The quoted table name, with its schema when the mapping names one.</summary>
    public static string Table(string tableName, string? schema) =>
        string.IsNullOrEmpty(schema) || schema == "null" ? Quote(tableName) : $"{Quote(schema)}.{Quote(tableName)}";

    /// <summary>The plugins create their tables on first use: before that, a read finds none.</summary>
    public static bool IsMissingTable(DbException e) =>
        e is SqliteException { SqliteErrorCode: 1 } && e.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase)
        || e is PostgresException { SqlState: "42P01" };

    /// <summary>A column the table does not have (SQLite "no such column", PostgreSQL undefined_column).</summary>
    public static bool IsMissingColumn(DbException e) =>
        e is SqliteException { SqliteErrorCode: 1 } && e.Message.Contains("no such column", StringComparison.OrdinalIgnoreCase)
        || e is PostgresException { SqlState: "42703" };

    /// <summary>A column added twice (another member added it first).</summary>
    public static bool IsDuplicateColumn(DbException e) =>
        e is SqliteException { SqliteErrorCode: 1 } && e.Message.Contains("duplicate column", StringComparison.OrdinalIgnoreCase)
        || e is PostgresException { SqlState: "42701" };

    /// <summary>
    /// Whether <paramref name="e"/> says the database could not be reached or did not answer: a
    /// driver error, a timeout, or the bare socket and stream errors Npgsql lets through while a
    /// connection it is opening is reset (the journal is unavailable, not the request wrong).
    /// </summary>
    public static bool IsUnavailable(Exception e) =>
        e is DbException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException or IOException;

    public static void AddParameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
