using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orchestrator.Cluster.Journal;
using Orchestrator.Domain.Controllers;

namespace Orchestrator.Cluster.Tests.Resources;

public sealed class JournalHealthSpec
{
    [Fact]
    public void Failures_open_an_outage_and_the_next_success_closes_it_at_its_time()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = time.GetUtcNow();
        var health = new JournalHealth(time, keepOutages: 2);
        health.Succeeded();
        Assert.True(health.Available);
        Assert.Empty(health.Outages);

        time.Advance(TimeSpan.FromSeconds(1));
        health.Failed();
        time.Advance(TimeSpan.FromSeconds(1));
        health.Failed(); // the same outage
        Assert.False(health.Available);
        Assert.Equal(start.AddSeconds(1), health.UnavailableSince);
        Assert.Equal([new StoreOutage(start.AddSeconds(1), null)], health.Outages);

        time.Advance(TimeSpan.FromSeconds(30));
        health.Succeeded();
        Assert.True(health.Available);
        Assert.Null(health.UnavailableSince);
        Assert.Equal([new StoreOutage(start.AddSeconds(1), start.AddSeconds(32))], health.Outages);

        // Only the most recent outages are kept.
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            health.Failed();
            time.Advance(TimeSpan.FromSeconds(1));
            health.Succeeded();
        }
        Assert.Equal([start.AddSeconds(53), start.AddSeconds(64)], health.Outages.Select(o => o.Start));
    }

    [Fact]
    public void The_shared_always_available_health_ignores_failures()
    {
        JournalHealth.AlwaysAvailable.Failed();
        Assert.True(JournalHealth.AlwaysAvailable.Available);
        Assert.Empty(JournalHealth.AlwaysAvailable.Outages);
    }

    [Fact]
    public async Task A_probe_succeeds_on_a_database_that_answers_and_fails_within_its_timeout_on_one_that_does_not()
    {
        Assert.True(await JournalHealth.Probe(() => new SqliteConnection("Data Source=:memory:"), TimeSpan.FromSeconds(2), CancellationToken.None));
        // Nothing listens on port 1 of loopback: refused at once, reported as a failure, not thrown.
        var started = TimeProvider.System.GetTimestamp();
        Assert.False(await JournalHealth.Probe(() => new NpgsqlConnection("Host=127.0.0.1;Port=1;Username=x;Password=x;Timeout=15"), TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }
}
