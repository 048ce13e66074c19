using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence.Sql;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Journal;
using Orchestrator.Cluster.Membership;
using Orchestrator.Cluster.Resources;
using Orchestrator.Cluster.Scheduling;
using Orchestrator.Cluster.Secrets;
using Orchestrator.Cluster.Services;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Hosting;

/// <summary>
/// The control plane's steps of a node's Akka.Hosting chain, and the services over its actors.
/// </summary>
/// <remarks>
/// The node process (src/Orchestrator.Host/Program.cs) wires it as:
/// <code>
/// services.AddControlPlaneServices(controlPlane, serviceSettings); // ResourceStore, IControllerStore, ...: building them starts nothing
/// services.AddAkka("orchestrator", (akka, sp) => akka
///     .AddHocon(config, HoconAddMode.Prepend)
///     .WithSecretEncryption(keyring)            // the keys the journal serializer encrypts Secrets with
///     .WithJournalMigration(controlPlane)       // before any entity writes
///     .WithJournalHealth(controlPlane)          // probes the journal and gathers the other members' outages, for node lifecycle
///     .WithResourceRegions(controlPlane, time)  // a shard region per kind: one persistent entity per object
///     .WithResourceIndex(controlPlane)          // the journal-fed index lists and watches read
///     .WithMemberLiveness(time)                 // which members were downed, for node lifecycle
///     .WithScheduler(scheduler, controllers.Role, time)
///     .WithControllerManager(controllers, time));
/// </code>
/// The steps run in this order once the actor system has started (Akka.Hosting's hosted service,
/// before the host's other hosted services start).
/// </remarks>
public static class ControlPlaneHosting
{
    /// <summary>
    /// Registers the services over the control plane's actors: <see cref="ResourceStore"/>,
    /// <see cref="IControllerStore"/>, <see cref="IJournalPositions"/> and
    /// <see cref="MemberLiveness"/>. They find the actors when first used, so resolving them
    /// (as hosted services' constructors do before the actor system starts) starts nothing.
    /// </summary>
    public static IServiceCollection AddControlPlaneServices(this IServiceCollection services, ControlPlaneSettings settings, ServiceSettings serviceSettings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(serviceSettings);
        services.AddSingleton(settings);
        services.AddSingleton(serviceSettings);
        services.AddSingleton<IJournalPositions>(sp => new SqlJournalPositions(JournalConfig(sp.GetRequiredService<ActorSystem>())));
        services.AddSingleton(sp =>
        {
            var system = sp.GetRequiredService<ActorSystem>();
            return new ResourceStore(system, new ResourceRegions(system), sp.GetRequiredService<IRequiredActor<ResourceIndex>>(),
                sp.GetRequiredService<IJournalPositions>(), settings.AskTimeout, serviceSettings.Ranges) { Journal = sp.GetRequiredService<JournalHealth>() };
        });
        services.AddSingleton<IControllerStore>(sp => new ResourceStoreControllerStore(sp.GetRequiredService<ResourceStore>()));
        services.AddSingleton<MemberLiveness>();
        services.AddSingleton(sp => new JournalHealth(sp.GetService<TimeProvider>() ?? TimeProvider.System, settings.JournalHealth.KeepOutages));
        services.AddSingleton(sp => new ClusterJournalHealth(sp.GetRequiredService<JournalHealth>()));
        return services;
    }

    /// <summary>
    /// Gives the journal serializer the keys Secret values are encrypted and decrypted with
    /// (<see cref="SecretEncryption.Prepare"/> reads and checks them before the system starts).
    /// </summary>
    public static AkkaConfigurationBuilder WithSecretEncryption(this AkkaConfigurationBuilder akka, SecretKeyring keyring)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(keyring);
        return akka.AddSetup(new SecretEncryptionSetup(keyring));
    }

    /// <summary>
    /// Prepares the SQL journal before any entity writes: the plugin's defaults join the system's
    /// configuration, and a journal written by an earlier version gets its tags copied into the
    /// journal's tag column (<see cref="TagColumnMigration"/>; idempotent, cheap once done).
    /// </summary>
    public static AkkaConfigurationBuilder WithJournalMigration(this AkkaConfigurationBuilder akka, ControlPlaneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        return akka.WithActors((system, _) =>
        {
            SqlPersistence.Get(system); // injects the plugin's defaults (journal, snapshot store, read journal)
            var migrated = TagColumnMigration.Run(JournalConfig(system), settings.Tag);
            if (migrated > 0) system.Log.Info("copied the tag of {0} events written by an earlier version into the journal's tag column", migrated);
        });
    }

    /// <summary>
    /// Probes this member's journal (<c>SELECT 1</c> on the journal plugin's connection every
    /// <c>orchestrator.journal-health.probe-interval</c>) into the registered
    /// <see cref="JournalHealth"/> until the actor system terminates; the entities report their
    /// writes into it too. Starts this member's <see cref="ClusterJournalHealth"/> peer, which
    /// tells the other members of these outages and gathers theirs.
    /// </summary>
    public static AkkaConfigurationBuilder WithJournalHealth(this AkkaConfigurationBuilder akka, ControlPlaneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        return akka.WithActors((system, registry, resolver) =>
        {
            var stop = new CancellationTokenSource();
            _ = resolver.GetService<JournalHealth>().RunProbe(JournalConfig(system).GetConfig("akka.persistence.journal.sql"), settings.JournalHealth, stop.Token);
            system.ActorOf(resolver.GetService<ClusterJournalHealth>().PeerProps(settings.JournalHealth.ProbeInterval, resolver.GetService<TimeProvider>() ?? TimeProvider.System), ClusterJournalHealth.PeerName);
            system.RegisterOnTermination(() =>
            {
                stop.Cancel();
                stop.Dispose();
            });
        });
    }

    /// <summary>Starts a shard region per kind (<see cref="ResourceKinds.All"/>): each object is one persistent <see cref="ResourceEntity"/>.</summary>
    public static AkkaConfigurationBuilder WithResourceRegions(this AkkaConfigurationBuilder akka, ControlPlaneSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        return akka.WithActors(async (system, _, resolver) =>
        {
            var positions = resolver.GetService<IJournalPositions>();
            var entitySettings = new ResourceEntity.Settings(settings.Tag, settings.SnapshotEvery, settings.PassivateAfter) { Journal = resolver.GetService<JournalHealth>() };
            var sharding = ClusterSharding.Get(system);
            var shardingSettings = ClusterShardingSettings.Create(system);
            var extractor = new ResourceMessageExtractor(settings.NumberOfShards);
            foreach (var kind in ResourceKinds.All)
                await sharding.StartAsync(kind.Kind, id => ResourceEntity.Props(kind, id, positions, entitySettings, time), shardingSettings, extractor);
        });
    }

    /// <summary>Starts this member's <see cref="ResourceIndex"/> (fed by the journal; lists and watches read it) and registers it in the actor registry.</summary>
    public static AkkaConfigurationBuilder WithResourceIndex(this AkkaConfigurationBuilder akka, ControlPlaneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        return akka.WithActors((system, registry) =>
            registry.Register<ResourceIndex>(system.ActorOf(
                ResourceIndex.Props(new ResourceIndex.Settings(settings.Tag, settings.WatchWindow, settings.ConsistentReadTimeout)), "resource-index")));
    }

    /// <summary>
    /// Starts recording this member's view of the other members' fate into the registered
    /// <see cref="MemberLiveness"/>, from the start: controllers that take over after a failover
    /// must still know which members were downed before.
    /// </summary>
    public static AkkaConfigurationBuilder WithMemberLiveness(this AkkaConfigurationBuilder akka, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(akka);
        return akka.WithActors((system, _, resolver) =>
            system.ActorOf(MemberLiveness.TrackerProps(resolver.GetService<MemberLiveness>(), time), "member-liveness"));
    }

    /// <summary>
    /// Runs the scheduler as a cluster singleton on the members with <paramref name="role"/>:
    /// exactly one runs in the cluster, and it moves to another member when its member leaves or
    /// is downed. It only reads and writes through the store, so a successor picks up where the
    /// last one stopped. Nothing is started when the scheduler is disabled or this member lacks
    /// the role (a singleton manager refuses to start there).
    /// </summary>
    public static AkkaConfigurationBuilder WithScheduler(this AkkaConfigurationBuilder akka, SchedulerSettings settings, string role, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled || !HasRole(akka, role)) return akka;
        return akka.WithSingleton<SchedulerActor>("scheduler",
            (_, _, resolver) => SchedulerActor.Props(resolver.GetService<IControllerStore>(), settings, time),
            new ClusterSingletonOptions { Role = role }, createProxyToo: false);
    }

    /// <summary>
    /// Runs the controller manager (every controller as its child) as a cluster singleton on the
    /// members with <see cref="ControllerSettings.Role"/>, as <see cref="WithScheduler"/> does.
    /// </summary>
    public static AkkaConfigurationBuilder WithControllerManager(this AkkaConfigurationBuilder akka, ControllerSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled || !HasRole(akka, settings.Role)) return akka;
        return akka.WithSingleton<ControllerManagerActor>("controller-manager",
            (_, _, resolver) => ControllerManagerActor.Props(resolver.GetService<IControllerStore>(), settings, time, resolver.GetService<MemberLiveness>(), resolver.GetService<ClusterJournalHealth>()),
            new ClusterSingletonOptions { Role = settings.Role }, createProxyToo: false);
    }

    /// <summary>Whether this member has <paramref name="role"/> (empty: every member), by the <c>akka.cluster.roles</c> of the HOCON added so far.</summary>
    private static bool HasRole(AkkaConfigurationBuilder akka, string role) =>
        role.Length == 0 || akka.Configuration.GetOrElse(Config.Empty).GetStringList("akka.cluster.roles", []).Contains(role);

    /// <summary>The system's configuration over the control plane's and the SQL plugin's defaults: what the journal schema is read from.</summary>
    private static Config JournalConfig(ActorSystem system) =>
        system.Settings.Config.WithFallback(ControlPlane.DefaultConfig).WithFallback(SqlPersistence.DefaultConfiguration);
}
