using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Cluster.Hosting;
using Orchestrator.Cluster.Resources;
using Orchestrator.Cluster.Scheduling;
using Orchestrator.Cluster.Secrets;
using Orchestrator.Cluster.Services;
using Orchestrator.TestSupport;

namespace Orchestrator.Cluster.Tests.Resources;

/// <summary>
/// A one-member cluster running the control plane against a given journal: the node process's
/// Akka.Hosting chain (ControlPlaneHosting) in a generic host, without the HTTP server and the
/// node agent. Disposing stops the host (the member leaves, the ActorSystem terminates), so a new
/// host on the same journal is a restart.
/// </summary>
public sealed class ControlPlaneHost : IAsyncDisposable
{
    private readonly IHost _host;

    public ActorSystem System { get; }

    /// <summary>The Secret keys of every host of this test process: a restart on the same journal reads what the last host wrote.</summary>
    public static SecretKeyring SecretKeys { get; } = SecretKeyring.Generate();

    public ResourceStore Store { get; }

    private ControlPlaneHost(IHost host)
    {
        _host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
        Store = host.Services.GetRequiredService<ResourceStore>();
    }

    /// <param name="journal">The journal it runs on.</param>
    /// <param name="extraHocon">Configuration over the in-process cluster's.</param>
    /// <param name="secretKeys">The Secret keys (default <see cref="SecretKeys"/>).</param>
    public static async Task<ControlPlaneHost> Start(IJournalProvider journal, string extraHocon = "", SecretKeyring? secretKeys = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        // Later keys win in one HOCON text: the test's own after the in-process cluster's.
        var config = ConfigurationFactory.ParseString(TestHocon.InProcessCluster() + "\n" + extraHocon)
            .WithFallback(ConfigurationFactory.ParseString(journal.PersistenceHocon))
            .WithFallback(ControlPlane.DefaultConfig);
        var controlPlane = ControlPlaneSettings.From(config);
        var time = TimeProvider.System;
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddControlPlaneServices(controlPlane, ServiceSettings.From(config.GetConfig("orchestrator.services")));
        builder.Services.AddAkka("orchestrator-test", akka => akka
            .AddHocon(config, HoconAddMode.Prepend)
            .WithSecretEncryption(secretKeys ?? SecretKeys)
            .WithJournalMigration(controlPlane)
            .WithJournalHealth(controlPlane)
            .WithResourceRegions(controlPlane, time)
            .WithResourceIndex(controlPlane)
            .WithMemberLiveness(time)
            .WithScheduler(SchedulerSettings.From(config.GetConfig("orchestrator.scheduler")), ControllerSettings.From(config.GetConfig("orchestrator.controllers")).Role, time)
            .WithControllerManager(ControllerSettings.From(config.GetConfig("orchestrator.controllers")), time));
        var host = builder.Build();
        await host.StartAsync();
        var started = new ControlPlaneHost(host);
        var cluster = Akka.Cluster.Cluster.Get(started.System);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await cluster.JoinAsync(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await ControlPlane.EnsureBuiltInNamespaces(started.Store);
        return started;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(); // coordinated shutdown: the member leaves, the ActorSystem terminates
        _host.Dispose();
    }
}
