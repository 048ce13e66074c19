using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Orchestrator.Cluster.Hosting;
using Orchestrator.Cluster.Journal;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>
/// The entity actor on its own (no sharding): for every kind it creates, reads, updates and
/// deletes through its protocol, and after being stopped it recovers the same object and version.
/// </summary>
public sealed class ResourceEntitySpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly SqliteJournal Journal = new();
    private readonly IJournalPositions _positions;
    private readonly ResourceEntity.Settings _settings = new("resource", 5, TimeSpan.FromMinutes(5));

    public ResourceEntitySpec()
        : base(Akka.Actor.Setup.ActorSystemSetup.Create(
            BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(Journal.PersistenceHocon).WithFallback(ControlPlane.DefaultConfig)),
            new Orchestrator.Cluster.Secrets.SecretEncryptionSetup(Orchestrator.Cluster.Secrets.SecretKeyring.Generate())), "entity-spec") // Secrets are sealed in the journal, as on a node
    {
        SqlPersistence.Get(Sys); // the plugin's defaults, as ControlPlaneHosting.WithJournalMigration does
        _positions = new SqlJournalPositions(Sys.Settings.Config.WithFallback(ControlPlane.DefaultConfig).WithFallback(SqlPersistence.DefaultConfiguration));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Task.CompletedTask;

    private IActorRef Entity(ResourceKind kind, string entityId) =>
        Sys.ActorOf(ResourceEntity.Props(kind, entityId, _positions, _settings, TimeProvider.System));

    private ResourceReply Ask(IActorRef entity, object command)
    {
        entity.Tell(command, TestActor);
        return ExpectMsg<ResourceReply>(TimeSpan.FromSeconds(15));
    }

    [Theory]
    [MemberData(nameof(Samples.Kinds), MemberType = typeof(Samples))]
    public void Each_kind_decides_persists_replies_and_recovers(string kindName)
    {
        var kind = ResourceKinds.ByKind(kindName)!;
        var name = $"entity-{kind.Singular}";
        var key = new ResourceKey(kind.Kind, kind.Namespaced ? "default" : "", name);
        var entity = Entity(kind, key.EntityId);

        var missing = Ask(entity, new GetResource(key));
        Assert.Equal(404, missing.Error!.Code);

        var created = Ask(entity, new CreateResource(key, Samples.Of(kind.Kind, name)));
        Assert.Null(created.Error);
        Assert.Equal(name, created.Object!.Name());

        var duplicate = Ask(entity, new CreateResource(key, Samples.Of(kind.Kind, name)));
        Assert.Equal("AlreadyExists", duplicate.Error!.Reason);

        var labelled = Ask(entity, new PatchResource(key, PatchType.Merge, JsonNode.Parse("""{"metadata":{"labels":{"patched":"yes"}}}""")!, Subresource.Main));
        Assert.Null(labelled.Error);
        Assert.Equal("yes", labelled.Object!.Labels()["patched"]);
        Assert.NotEqual(created.Object!.ResourceVersion(), labelled.Object!.ResourceVersion());

        // Stop it and start it again: recovery gives back the same object and version.
        Watch(entity);
        entity.Tell(PoisonPill.Instance);
        ExpectTerminated(entity);
        var recovered = Entity(kind, key.EntityId);
        var read = Ask(recovered, new GetResource(key));
        Assert.True(JsonNode.DeepEquals(labelled.Object, read.Object), $"recovered:\n{read.Object}\nexpected:\n{labelled.Object}");

        var deleted = Ask(recovered, new DeleteResource(key, new DeleteRequest()));
        Assert.Null(deleted.Error);
        if (deleted.Object!.IsDeleting())
        {
            // Kinds with a finalizer by default (Namespace) stay until their finalizers are removed.
            var released = Ask(recovered, new PatchResource(key, PatchType.Merge, JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!, Subresource.Main));
            Assert.Null(released.Error);
        }
        Assert.Equal(404, Ask(recovered, new GetResource(key)).Error!.Code);

        // A deleted name can be created again, as a new object.
        var again = Ask(recovered, new CreateResource(key, Samples.Of(kind.Kind, name)));
        Assert.NotEqual(created.Object!.Uid(), again.Object!.Uid());
    }

    [Fact]
    public void An_invalid_object_is_refused_without_touching_the_journal()
    {
        var key = new ResourceKey("Pod", "default", "invalid");
        var entity = Entity(Domain.Pods.PodKind.Instance, key.EntityId);
        var reply = Ask(entity, new CreateResource(key, JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"invalid"},"spec":{"containers":[]}}""")!.AsObject()));
        Assert.Equal(422, reply.Error!.Code);
        Assert.Contains(reply.Error.Causes!, c => c.Field == "spec.containers");
        Assert.Equal(404, Ask(entity, new GetResource(key)).Error!.Code);
    }
}
