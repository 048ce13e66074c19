using Npgsql;

namespace Orchestrator.TestSupport;

/// <summary>
/// A fresh, uniquely named database on the shared PostgreSQL server (<see cref="RealParts.PostgresConnectionString"/>),
/// for the journal of one test's cluster; dropped (with whatever connections are left) when disposed.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public string Name { get; }

    /// <summary>The Npgsql connection string of the new database (ORCHESTRATOR_POSTGRES of its members).</summary>
    public string ConnectionString { get; }

    private PostgresDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var name = "orchestrator_test_" + Guid.NewGuid().ToString("N")[..12];
        await Execute($"CREATE DATABASE \"{name}\"");
        var builder = new NpgsqlConnectionStringBuilder(RealParts.PostgresConnectionString) { Database = name };
        return new PostgresDatabase(name, builder.ConnectionString);
    }

    private static async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(RealParts.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        // FORCE: a killed member's server-side sessions may linger until PostgreSQL notices.
        await Execute($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }
}
