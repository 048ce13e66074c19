using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;
using Orchestrator.TestSupport;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>
/// The store end to end (sharded entities, SQL journal, index) for one journal provider; each
/// provider has a subclass. Restarts are real: the ActorSystem is terminated and a new one
/// recovers from the same journal.
/// </summary>
public abstract class ResourceStoreSpec : IAsyncLifetime
{
    protected abstract IJournalProvider Journal { get; }

    private void SkipWhenUnavailable() =>
        Skip.If(RealParts.SkipReason(Journal.Unavailable) is not null, Journal.Unavailable);

    private static long Rv(JsonObject obj) => long.Parse(obj.ResourceVersion()!, CultureInfo.InvariantCulture);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Journal.DisposeAsync();

    [SkippableFact]
    public async Task Every_kind_is_created_read_listed_and_survives_a_restart_with_identical_versions()
    {
        SkipWhenUnavailable();
        var written = new Dictionary<string, JsonObject>();
        await using (var host = await ControlPlaneHost.Start(Journal))
        {
            foreach (var kind in ResourceKinds.All)
            {
                var created = await host.Store.Create(kind, "default", Samples.Of(kind.Kind, $"sample-{kind.Singular}"));
                Assert.False(string.IsNullOrEmpty(created.Uid()));
                var read = await host.Store.Get(kind, "default", $"sample-{kind.Singular}");
                Assert.True(JsonNode.DeepEquals(created, read), $"{kind.Kind}: get differs from create");
                var listed = await host.Store.List(ObjectFilter.All(kind.Kind));
                Assert.Contains(listed.Items, i => i.Name() == $"sample-{kind.Singular}" && JsonNode.DeepEquals(i, created));
                written[kind.Kind] = created;
            }
            var updated = await host.Store.Patch(Domain.ConfigMaps.ConfigMapKind.Instance, "default", "sample-configmap", PatchType.Merge, JsonNode.Parse("""{"data":{"b":"2"}}""")!);
            Assert.True(Rv(updated) > Rv(written["ConfigMap"]));
            written["ConfigMap"] = updated;
        }

        await using (var restarted = await ControlPlaneHost.Start(Journal))
        {
            foreach (var kind in ResourceKinds.All)
            {
                var read = await restarted.Store.Get(kind, "default", $"sample-{kind.Singular}");
                Assert.True(JsonNode.DeepEquals(written[kind.Kind], read), $"{kind.Kind} after restart:\n{read}\nwas\n{written[kind.Kind]}");
                var listed = await restarted.Store.List(ObjectFilter.All(kind.Kind));
                Assert.Contains(listed.Items, i => JsonNode.DeepEquals(i, written[kind.Kind]));
            }
        }
    }

    [SkippableFact]
    public async Task Versions_are_monotonic_and_a_stale_update_is_refused()
    {
        SkipWhenUnavailable();
        await using var host = await ControlPlaneHost.Start(Journal);
        var kind = Domain.ConfigMaps.ConfigMapKind.Instance;
        var first = await host.Store.Create(kind, "default", Samples.Of("ConfigMap", "versions"));
        var other = await host.Store.Create(kind, "default", Samples.Of("ConfigMap", "versions-other"));
        Assert.True(Rv(other) > Rv(first));

        // Concurrent patches without a version all apply, each with a new, higher version.
        var patches = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            host.Store.Patch(kind, "default", "versions", PatchType.Merge, new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [$"l{i}"] = "x" } } })));
        Assert.Equal(20, patches.Select(Rv).Distinct().Count());
        var final = await host.Store.Get(kind, "default", "versions");
        Assert.Equal(20, final.Labels().Count);
        Assert.Equal(patches.Max(Rv), Rv(final));

        // Two writers holding the same version: exactly one wins.
        var a = (JsonObject)final.DeepClone();
        a["data"]!["a"] = "from-a";
        var b = (JsonObject)final.DeepClone();
        b["data"]!["a"] = "from-b";
        var results = await Task.WhenAll(
            Outcome(() => host.Store.Replace(kind, "default", "versions", a)),
            Outcome(() => host.Store.Replace(kind, "default", "versions", b)));
        Assert.Single(results, r => r is null);
        Assert.Single(results, r => r?.Code == 409);
    }

    private static async Task<ApiError?> Outcome(Func<Task<JsonObject>> write)
    {
        try
        {
            await write();
            return null;
        }
        catch (ApiErrorException e)
        {
            return e.Error;
        }
    }

    [SkippableFact]
    public async Task Lists_filter_by_namespace_and_label_selector()
    {
        SkipWhenUnavailable();
        await using var host = await ControlPlaneHost.Start(Journal);
        var pods = Domain.Pods.PodKind.Instance;
        await host.Store.Create(Domain.Namespaces.NamespaceKind.Instance, "", Samples.Of("Namespace", "other"));
        foreach (var (ns, name, tier) in new[] { ("default", "a", "front"), ("default", "b", "back"), ("other", "c", "front") })
        {
            var pod = Samples.Of("Pod", name, ns);
            pod["metadata"]!["labels"]!["tier"] = tier;
            await host.Store.Create(pods, ns, pod);
        }
        string Names(ObjectList list) => string.Join(",", list.Items.Select(i => i.Name()));
        Assert.Equal("a,b", Names(await host.Store.List(new ObjectFilter("Pod", "default", LabelSelector.Everything, FieldSelector.Everything))));
        Assert.Equal("a,c", Names(await host.Store.List(new ObjectFilter("Pod", null, LabelSelector.Parse("tier=front"), FieldSelector.Everything))));
        Assert.Equal("b", Names(await host.Store.List(new ObjectFilter("Pod", null, LabelSelector.Parse("tier notin (front)"), FieldSelector.Everything))));
        Assert.Equal("c", Names(await host.Store.List(new ObjectFilter("Pod", null, LabelSelector.Everything, FieldSelector.Parse("metadata.namespace=other")))));
    }

    [SkippableFact]
    public async Task A_watch_from_a_version_older_than_the_window_replays_the_journal_then_goes_live()
    {
        SkipWhenUnavailable();
        await using var host = await ControlPlaneHost.Start(Journal, "orchestrator.index.watch-window = 2");
        var kind = Domain.ConfigMaps.ConfigMapKind.Instance;
        var created = new List<JsonObject>();
        for (var i = 0; i < 5; i++) created.Add(await host.Store.Create(kind, "default", Samples.Of("ConfigMap", $"w{i}")));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<WatchEvent>();
        var filter = ObjectFilter.All("ConfigMap");
        await using var events = host.Store.Watch(filter, Rv(created[0]), cts.Token).GetAsyncEnumerator(cts.Token);
        while (seen.Count < 4)
        {
            Assert.True(await events.MoveNextAsync());
            seen.Add(events.Current);
        }
        Assert.Equal(["w1", "w2", "w3", "w4"], seen.Select(e => e.Object.Name()));
        Assert.Equal(created.Skip(1).Select(Rv), seen.Select(e => e.ResourceVersion));

        await host.Store.Delete(kind, "default", "w2", new DeleteRequest());
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((WatchEventType.Deleted, "w2"), (events.Current.Type, events.Current.Object.Name()));
    }

    [SkippableFact]
    public async Task Snapshots_are_taken_and_recovery_from_them_is_exact()
    {
        SkipWhenUnavailable();
        JsonObject last;
        var kind = Domain.ConfigMaps.ConfigMapKind.Instance;
        await using (var host = await ControlPlaneHost.Start(Journal, "orchestrator.store.snapshot-every = 3"))
        {
            await host.Store.Create(kind, "default", Samples.Of("ConfigMap", "snap"));
            last = null!;
            for (var i = 0; i < 7; i++)
                last = await host.Store.Patch(kind, "default", "snap", PatchType.Merge, new JsonObject { ["data"] = new JsonObject { ["n"] = i.ToString(CultureInfo.InvariantCulture) } });
        }
        Assert.True(await Journal.SnapshotRows() > 0);
        await using (var host = await ControlPlaneHost.Start(Journal, "orchestrator.store.snapshot-every = 3"))
        {
            Assert.True(JsonNode.DeepEquals(last, await host.Store.Get(kind, "default", "snap")));
        }
    }

    [SkippableFact]
    public async Task An_object_snapshotted_by_another_member_since_this_one_started_recovers_exactly()
    {
        SkipWhenUnavailable();
        var kind = Domain.ConfigMaps.ConfigMapKind.Instance;
        const string settings = "orchestrator.store.snapshot-every = 3";
        // This member read which objects have snapshots when it started: none.
        await using var early = await ControlPlaneHost.Start(Journal, settings);
        JsonObject last = null!;
        await using (var other = await ControlPlaneHost.Start(Journal, settings))
        {
            await other.Store.Create(kind, "default", Samples.Of("ConfigMap", "moved"));
            for (var i = 0; i < 7; i++)
                last = await other.Store.Patch(kind, "default", "moved", PatchType.Merge, new JsonObject { ["data"] = new JsonObject { ["n"] = i.ToString(CultureInfo.InvariantCulture) } });
        }
        Assert.True(await Journal.SnapshotRows() > 0);

        // It does not know of the other member's snapshots: its entity replays every event.
        Assert.True(JsonNode.DeepEquals(last, await early.Store.Get(kind, "default", "moved")));
        var next = await early.Store.Patch(kind, "default", "moved", PatchType.Merge, new JsonObject { ["data"] = new JsonObject { ["n"] = "after" } });
        Assert.True(Rv(next) > Rv(last));
    }

    [SkippableFact]
    public async Task A_journal_written_with_the_tag_table_is_listed_watched_and_continued_after_the_upgrade()
    {
        SkipWhenUnavailable();
        var kind = Domain.ConfigMaps.ConfigMapKind.Instance;
        const string earlierVersion = """
            akka.persistence.journal.sql.tag-write-mode = TagTable
            akka.persistence.query.journal.sql.tag-read-mode = TagTable
            """;
        var written = new List<JsonObject>();
        long firstWrite;
        await using (var old = await ControlPlaneHost.Start(Journal, earlierVersion))
        {
            for (var i = 0; i < 3; i++) written.Add(await old.Store.Create(kind, "default", Samples.Of("ConfigMap", $"old-{i}")));
            firstWrite = Rv(written[0]);
            written[0] = await old.Store.Patch(kind, "default", "old-0", PatchType.Merge, JsonNode.Parse("""{"data":{"b":"2"}}""")!);
        }

        // Twice: the second start finds the journal migrated already.
        for (var start = 0; start < 2; start++)
        {
            await using var upgraded = await ControlPlaneHost.Start(Journal);
            var listed = await upgraded.Store.List(ObjectFilter.All("ConfigMap"));
            foreach (var obj in written) Assert.Contains(listed.Items, i => JsonNode.DeepEquals(i, obj));
            Assert.True(listed.ResourceVersion >= written.Max(Rv));

            // A watch from before the first write sees the old events, in order, then the new ones.
            var created = await upgraded.Store.Create(kind, "default", Samples.Of("ConfigMap", $"new-{start}"));
            Assert.True(Rv(created) > listed.ResourceVersion);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var seen = new List<string>();
            await foreach (var e in upgraded.Store.Watch(ObjectFilter.All("ConfigMap"), firstWrite - 1, cts.Token))
            {
                seen.Add($"{e.Type.WireName()} {e.Object.Name()}");
                if (e.Object.Name() == $"new-{start}") break;
            }
            Assert.Equal(["ADDED old-0", "ADDED old-1", "ADDED old-2", "MODIFIED old-0"], seen.Take(4));
            Assert.Equal($"ADDED new-{start}", seen[^1]);
            written.Add(created);
        }
    }

    [SkippableFact]
    public async Task Recoveries_read_through_the_lean_journal_and_continue_every_object_exactly()
    {
        SkipWhenUnavailable();
        var kind = Domain.ConfigMaps.ConfigMapKind.Instance;
        var last = new Dictionary<string, JsonObject>();
        await using (var host = await ControlPlaneHost.Start(Journal))
        {
            var journal = Akka.Persistence.Persistence.Instance.Apply(host.System).JournalFor(null);
            Assert.Equal(typeof(Journal.LeanRecoveryJournal), ((Akka.Actor.ActorRefWithCell)journal).Underlying.Props.Type);
            for (var i = 0; i < 5; i++)
            {
                var name = $"lean-{i}";
                last[name] = await host.Store.Create(kind, "default", Samples.Of("ConfigMap", name));
                for (var j = 0; j < i; j++)
                    last[name] = await host.Store.Patch(kind, "default", name, PatchType.Merge, new JsonObject { ["data"] = new JsonObject { ["n"] = j.ToString(CultureInfo.InvariantCulture) } });
            }
        }
        // After a restart each entity recovers its highest sequence number: the next write of each
        // continues its history (a wrong number would be refused by the journal's primary key).
        await using (var host = await ControlPlaneHost.Start(Journal))
        {
            foreach (var (name, before) in last)
            {
                Assert.True(JsonNode.DeepEquals(before, await host.Store.Get(kind, "default", name)));
                var next = await host.Store.Patch(kind, "default", name, PatchType.Merge, new JsonObject { ["data"] = new JsonObject { ["n"] = "after" } });
                Assert.True(Rv(next) > Rv(before));
            }
        }
    }

    [SkippableFact]
    public async Task Deleting_a_namespace_deletes_its_content_first_and_refuses_new_content()
    {
        SkipWhenUnavailable();
        // The controllers run as singletons on control-plane members: this member is one.
        await using var host = await ControlPlaneHost.Start(Journal, "akka.cluster.roles = [\"control-plane\"]");
        var namespaces = Domain.Namespaces.NamespaceKind.Instance;
        await host.Store.Create(namespaces, "", Samples.Of("Namespace", "doomed"));
        await host.Store.Create(Domain.ConfigMaps.ConfigMapKind.Instance, "doomed", Samples.Of("ConfigMap", "inside", "doomed"));
        await host.Store.Create(Domain.Secrets.SecretKind.Instance, "doomed", Samples.Of("Secret", "inside", "doomed"));

        var terminating = await host.Store.Delete(namespaces, "", "doomed", new DeleteRequest());
        Assert.True(terminating.IsDeleting());
        var refused = await Assert.ThrowsAsync<ApiErrorException>(() =>
            host.Store.Create(Domain.ConfigMaps.ConfigMapKind.Instance, "doomed", Samples.Of("ConfigMap", "late", "doomed")));
        Assert.Equal(403, refused.Error.Code);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var e in host.Store.Watch(ObjectFilter.All("Namespace"), Rv(terminating), cts.Token))
        {
            if (e.Type == WatchEventType.Deleted && e.Object.Name() == "doomed") break;
        }
        Assert.Empty((await host.Store.List(new ObjectFilter("ConfigMap", "doomed", LabelSelector.Everything, FieldSelector.Everything))).Items);
        Assert.Empty((await host.Store.List(new ObjectFilter("Secret", "doomed", LabelSelector.Everything, FieldSelector.Everything))).Items);

        var forbidden = await Assert.ThrowsAsync<ApiErrorException>(() => host.Store.Delete(namespaces, "", "default", new DeleteRequest()));
        Assert.Equal(403, forbidden.Error.Code);
    }

    [SkippableFact]
    public async Task Creating_in_a_missing_namespace_is_NotFound()
    {
        SkipWhenUnavailable();
        await using var host = await ControlPlaneHost.Start(Journal);
        var error = await Assert.ThrowsAsync<ApiErrorException>(() => host.Store.Create(Domain.ConfigMaps.ConfigMapKind.Instance, "nowhere", Samples.Of("ConfigMap", "x", "nowhere")));
        Assert.Equal(404, error.Error.Code);
        Assert.Equal("namespaces \"nowhere\" not found", error.Error.Message);
    }
}

public sealed class SqliteResourceStoreSpec : ResourceStoreSpec
{
    protected override IJournalProvider Journal { get; } = new SqliteJournal();
}

/// <summary>The same spec on PostgreSQL (the cluster journal); skipped without a server on a developer machine, failed in CI.</summary>
public sealed class PostgresResourceStoreSpec : ResourceStoreSpec
{
    protected override IJournalProvider Journal { get; } = new PostgresJournal();
}
