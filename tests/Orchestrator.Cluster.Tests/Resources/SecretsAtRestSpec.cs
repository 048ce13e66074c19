using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Secrets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using Orchestrator.TestSupport;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>
/// Secrets encrypted at rest, end to end on a real journal (one subclass per provider): a planted
/// value is nowhere in the stored bytes, neither plain nor base64, in events or snapshots; it reads
/// back after a restart and after a key rotation; a node lacking a key the journal needs is refused.
/// </summary>
public abstract class SecretsAtRestSpec : IAsyncLifetime
{
    private const string SnapshotOften = "orchestrator.store.snapshot-every = 2";

    protected abstract IJournalProvider Journal { get; }

    private void SkipWhenUnavailable() =>
        Skip.If(RealParts.SkipReason(Journal.Unavailable) is not null, Journal.Unavailable);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Journal.DisposeAsync();

    private static JsonObject SecretWith(string name, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["data"] = new JsonObject { ["password"] = Base64(value) },
        ["stringData"] = new JsonObject { ["token"] = value + "-token" },
    };

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private static string Decoded(JsonObject secret, string key) => Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![key]!.GetValue<string>()));

    private async Task AssertNowhereStored(params string[] values)
    {
        var stored = await Journal.RawBytes();
        Assert.True(stored.Length > 0, "the journal stores nothing");
        foreach (var value in values)
        {
            foreach (var form in new[] { value, Base64(value) })
                Assert.True(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(form)) < 0, $"'{form}' is in the stored journal");
        }
    }

    private static async Task<JsonObject> Plant(ControlPlaneHost host, string name, string value)
    {
        var kind = SecretKind.Instance;
        await host.Store.Create(kind, "default", SecretWith(name, value));
        // Updates until snapshots are taken (every 2 events), so they are scanned too.
        JsonObject last = null!;
        for (var i = 0; i < 3; i++)
            last = await host.Store.Patch(kind, "default", name, PatchType.Merge, new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } } });
        return last;
    }

    [SkippableFact]
    public async Task A_planted_value_is_in_no_event_or_snapshot_and_reads_back_after_a_restart()
    {
        SkipWhenUnavailable();
        var value = "planted-" + Guid.NewGuid().ToString("N");
        JsonObject written;
        await using (var host = await ControlPlaneHost.Start(Journal, SnapshotOften))
        {
            written = await Plant(host, "planted", value);
            Assert.Equal(value, Decoded(written, "password"));
            Assert.Equal(value + "-token", Decoded(written, "token"));
        }
        Assert.True(await Journal.SnapshotRows() > 0, "no snapshot was taken");
        await AssertNowhereStored(value);

        await using var restarted = await ControlPlaneHost.Start(Journal, SnapshotOften);
        var read = await restarted.Store.Get(SecretKind.Instance, "default", "planted");
        Assert.True(JsonNode.DeepEquals(written, read), $"after restart:\n{read}\nwas\n{written}");
        var listed = await restarted.Store.List(ObjectFilter.All("Secret"));
        Assert.Contains(listed.Items, i => JsonNode.DeepEquals(i, written));
    }

    [SkippableFact]
    public async Task After_a_rotation_old_values_read_back_new_ones_use_the_new_key_and_a_node_lacking_a_key_is_refused()
    {
        SkipWhenUnavailable();
        var oldKeys = SecretKeyring.Generate();
        var newKey = SecretKeyring.Generate();
        var rotated = SecretKeyring.Parse(newKey.Format() + oldKeys.Format(), "test");
        var before = "before-" + Guid.NewGuid().ToString("N");
        var after = "after-" + Guid.NewGuid().ToString("N");
        await using (var host = await ControlPlaneHost.Start(Journal, SnapshotOften, oldKeys))
            await Plant(host, "old", before);
        await using (var host = await ControlPlaneHost.Start(Journal, SnapshotOften, rotated))
        {
            Assert.Equal(before, Decoded(await host.Store.Get(SecretKind.Instance, "default", "old"), "password"));
            await Plant(host, "new", after);
        }
        await AssertNowhereStored(before, after);

        var config = Akka.Configuration.ConfigurationFactory.ParseString(Journal.PersistenceHocon)
            .WithFallback(Hosting.ControlPlane.DefaultConfig).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        Assert.True(SealedJournalCheck.Run(config, rotated) > 0);
        var lacksOld = Assert.Throws<SecretKeyException>(() => SealedJournalCheck.Run(config, newKey));
        Assert.Contains(oldKeys.ActiveKeyId, lacksOld.Message);
        var lacksNew = Assert.Throws<SecretKeyException>(() => SealedJournalCheck.Run(config, oldKeys));
        Assert.Contains(newKey.ActiveKeyId, lacksNew.Message);
        Assert.Throws<SecretKeyException>(() => SealedJournalCheck.Run(config, SecretKeyring.Generate()));
    }
}

public sealed class SqliteSecretsAtRestSpec : SecretsAtRestSpec
{
    protected override IJournalProvider Journal { get; } = new SqliteJournal();
}

/// <summary>The same on PostgreSQL (the cluster journal); skipped without a server on a developer machine, failed in CI.</summary>
public sealed class PostgresSecretsAtRestSpec : SecretsAtRestSpec
{
    protected override IJournalProvider Journal { get; } = new PostgresJournal();
}
