using System.Diagnostics;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>
/// What the store answers while this member knows its journal to be unavailable (its health told
/// so; the probe runs once an hour here, so only the test changes it): writes are refused at once
/// as not applied, with a Retry-After; reads of live objects and resourceVersion=0 lists go on.
/// </summary>
public sealed class JournalUnavailableSpec : IAsyncLifetime
{
    private readonly SqliteJournal _journal = new();
    private ControlPlaneHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ControlPlaneHost.Start(_journal, "orchestrator.journal-health.probe-interval = 1h");

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _journal.DisposeAsync();
    }

    private static System.Text.Json.Nodes.JsonObject ConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["data"] = new System.Text.Json.Nodes.JsonObject { ["k"] = "v" },
    };

    [Fact]
    public async Task Writes_are_refused_at_once_as_not_applied_while_reads_of_this_members_copy_go_on()
    {
        var store = _host.Store;
        var before = await store.Create(ConfigMapKind.Instance, "default", ConfigMap("before"));
        var all = new ObjectFilter(ConfigMapKind.Instance.Kind, "default", LabelSelector.Everything, FieldSelector.Everything);
        await store.List(all); // a consistent list: the index has seen the create

        store.Journal.Failed();
        var clock = Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<ApiErrorException>(() => store.Create(ConfigMapKind.Instance, "default", ConfigMap("during")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"answered after {clock.Elapsed}");
        Assert.Equal(503, refused.Error.Code);
        Assert.Equal("ServiceUnavailable", refused.Error.Reason);
        Assert.Contains("journal", refused.Error.Message, StringComparison.Ordinal);
        Assert.Contains("not applied", refused.Error.Message, StringComparison.Ordinal);
        Assert.Equal(2, refused.Error.RetryAfterSeconds);
        Assert.Equal(2, refused.Error.ToStatus()["details"]!["retryAfterSeconds"]!.GetValue<int>());
        await Assert.ThrowsAsync<ApiErrorException>(() => store.Delete(ConfigMapKind.Instance, "default", "before", new DeleteRequest()));

        // The live object still answers, and the index serves what it has.
        Assert.Equal(before.Uid(), (await store.Get(ConfigMapKind.Instance, "default", "before")).Uid());
        var cached = await store.ListCached(all);
        Assert.Contains(cached.Items, i => i.Name() == "before");

        // Back: writes go through again, and nothing refused was applied.
        store.Journal.Succeeded();
        await store.Create(ConfigMapKind.Instance, "default", ConfigMap("after"));
        var ex = await Assert.ThrowsAsync<ApiErrorException>(() => store.Get(ConfigMapKind.Instance, "default", "during"));
        Assert.Equal(404, ex.Error.Code);
        Assert.NotNull(await store.Get(ConfigMapKind.Instance, "default", "before"));
    }

    [Fact]
    public void A_write_without_an_answer_says_it_may_or_may_not_have_been_applied()
    {
        var error = ApiError.WriteOutcomeUnknown("the object did not answer within 5s", 2);
        Assert.Equal(504, error.Code);
        Assert.Equal("Timeout", error.Reason);
        Assert.Contains("may or may not have been applied", error.Message, StringComparison.Ordinal);
    }
}
