using System.Data;
using System.Data.Common;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Orchestrator.Cluster.Hosting;
using Orchestrator.Cluster.Journal;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>
/// The positions reader is one dedicated thread: a read that fails in any way fails its requests
/// and the thread goes on answering the next ones (an exception escaping it once ended a member).
/// </summary>
public sealed class JournalPositionsSpec
{
    private static Config Config(SqliteJournal journal) =>
        ConfigurationFactory.ParseString(journal.PersistenceHocon).WithFallback(ControlPlane.DefaultConfig).WithFallback(SqlPersistence.DefaultConfiguration);

    [Theory]
    [InlineData("io")] // what Npgsql threw while the connection it was opening was reset
    [InlineData("socket")]
    [InlineData("other")]
    public async Task A_read_that_throws_fails_its_requests_and_the_reader_answers_the_next_ones(string failure)
    {
        var journal = new SqliteJournal();
        var failing = true;
        var positions = new SqlJournalPositions(Config(journal), () => failing ? new UnreachableConnection(failure) : new SqliteConnection(journal.ConnectionString));

        var head = await Assert.ThrowsAnyAsync<Exception>(() => positions.Head().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("unreachable", head.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => positions.PositionOf("Pod|default/a", 1).WaitAsync(TimeSpan.FromSeconds(30)));

        failing = false;
        Assert.Equal(0, await positions.Head().WaitAsync(TimeSpan.FromSeconds(30))); // nothing written yet
        // The reader ran the real query (the journal's tables are created by its first write).
        var missing = await Assert.ThrowsAnyAsync<DbException>(() => positions.PositionOf("Pod|default/a", 1).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("no such table", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(IOException), true)]
    [InlineData(typeof(System.Net.Sockets.SocketException), true)]
    [InlineData(typeof(TimeoutException), true)]
    [InlineData(typeof(ArgumentException), false)]
    [InlineData(typeof(NullReferenceException), false)]
    public void The_errors_of_an_unreachable_database_count_as_unavailable_and_bugs_do_not(Type type, bool unavailable) =>
        Assert.Equal(unavailable, SqlConnections.IsUnavailable((Exception)Activator.CreateInstance(type)!));

    /// <summary>A connection whose Open throws as a driver does when the database's socket is reset.</summary>
    private sealed class UnreachableConnection(string failure) : DbConnection
    {
        [System.Diagnostics.CodeAnalysis.AllowNull]
        public override string ConnectionString { get; set; } = "";

        public override string Database => "";

        public override string DataSource => "";

        public override string ServerVersion => "";

        public override ConnectionState State => ConnectionState.Closed;

        public override void Open() => throw failure switch
        {
            "io" => new IOException("unreachable: The operation is not allowed on non-connected sockets."),
            "socket" => new System.Net.Sockets.SocketException(104, "unreachable"),
            _ => new FormatException("unreachable"), // any other failure: the thread must survive it too
        };

        public override void Close()
        {
        }

        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();

        protected override DbCommand CreateDbCommand() => throw new NotSupportedException();
    }
}
