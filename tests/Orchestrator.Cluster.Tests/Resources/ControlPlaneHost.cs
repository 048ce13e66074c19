using Akka.Actor;
using Akka.Configuration;
using Orchestrator.Cluster.Hosting;
using Orchestrator.Cluster.Resources;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>
/// A one-member cluster running the control plane against a given journal: the same wiring as
/// the node process, without the HTTP server. Disposing terminates the ActorSystem, so a new
/// host on the same journal is a restart.
/// </summary>
public sealed class ControlPlaneHost : IAsyncDisposable
{
    public ActorSystem System { get; }

    public ResourceStore Store { get; }

    private ControlPlaneHost(ActorSystem system, ResourceStore store)
    {
        System = system;
        Store = store;
    }

    public static string PersistenceHocon(string connectionString, string provider, string? schema)
    {
        var schemaLines = schema is null ? "" : $$"""
            akka.persistence.journal.sql.default.schema-name = "{{schema}}"
            akka.persistence.snapshot-store.sql.default.schema-name = "{{schema}}"
            akka.persistence.query.journal.sql.default.schema-name = "{{schema}}"
            """;
        return $$"""
            akka.persistence {
              journal { plugin = "akka.persistence.journal.sql", sql { connection-string = "{{connectionString}}", provider-name = "{{provider}}" } }
              snapshot-store { plugin = "akka.persistence.snapshot-store.sql", sql { connection-string = "{{connectionString}}", provider-name = "{{provider}}" } }
              query.journal.sql { connection-string = "{{connectionString}}", provider-name = "{{provider}}" }
            }
            {{schemaLines}}
            """;
    }

    public static async Task<ControlPlaneHost> Start(IJournalProvider journal, string extraHocon = "")
    {
        ArgumentNullException.ThrowIfNull(journal);
        var config = ConfigurationFactory.ParseString($$"""
                akka.loglevel = WARNING
                akka.actor.provider = cluster
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
                akka.cluster.sharding.role = ""
                {{extraHocon}}
                """)
            .WithFallback(ConfigurationFactory.ParseString(journal.PersistenceHocon))
            .WithFallback(ControlPlane.DefaultConfig);
        var system = ActorSystem.Create("orchestrator-test", config);
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await cluster.JoinAsync(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var store = ControlPlane.Start(system, TimeProvider.System);
        await ControlPlane.EnsureBuiltInNamespaces(store);
        return new ControlPlaneHost(system, store);
    }

    public async ValueTask DisposeAsync()
    {
        await Akka.Cluster.Cluster.Get(System).LeaveAsync();
        await System.Terminate();
    }
}
