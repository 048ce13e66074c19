using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.CommandHost.Palettes.Cluster;
using Orchestrator.CommandHost.Palettes.ClusterSharding;

namespace Orchestrator.CommandHost;

/// <summary>
/// Runs the <c>pbm</c> command host inside a node process for as long as the host runs.
/// </summary>
/// <remarks>
/// Wiring (in the node's <c>Program.cs</c>, after <c>AddAkka</c>, so the ActorSystem has started
/// when this service starts; hosted services start in registration order):
/// <code>
/// builder.Services.AddAkka("orchestrator", (akka, sp) => akka.WithClustering(...)...);
/// builder.Services.AddCommandHost();                                // cluster + cluster-sharding palettes
/// builder.Services.AddSingleton&lt;ICommandPalette, PodPalette&gt;();  // more palettes, any time
/// </code>
/// Settings come from the ActorSystem's HOCON, section <c>orchestrator.command-host</c>
/// (hostname, port, token-file; see this project's reference.conf); pass
/// <c>AddCommandHost(settings => settings.WithPort(9111))</c> to override them in code.
/// The ActorSystem is the one Akka.Hosting registers in DI; palettes are every
/// <see cref="ICommandPalette"/> registered in DI.
/// </remarks>
public sealed class CommandHostService : IHostedService, IAsyncDisposable
{
    private readonly CommandHostServer _server;

    public CommandHostService(
        ActorSystem system,
        IEnumerable<ICommandPalette> palettes,
        ILogger<CommandHostService>? logger = null,
        Func<CommandHostSettings, CommandHostSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var settings = CommandHostSettings.Create(system);
        if (configure is not null)
            settings = configure(settings);
        _server = new CommandHostServer(settings, palettes,
            system is ExtendedActorSystem extended ? extended.Provider.DefaultAddress.ToString() : system.Name,
            (ILogger?)logger ?? NullLogger.Instance);
    }

    /// <summary>The running server (its bound endpoint, active command count).</summary>
    public CommandHostServer Server => _server;

    public Task StartAsync(CancellationToken cancellationToken) => _server.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _server.StopAsync().WaitAsync(cancellationToken);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>DI registration of the command host; see <see cref="CommandHostService"/> for the wiring.</summary>
public static class CommandHostServiceCollectionExtensions
{
    /// <summary>
    /// Registers the command host as a hosted service with the built-in <c>cluster</c> and
    /// <c>cluster-sharding</c> palettes. Call after <c>AddAkka(...)</c>.
    /// </summary>
    /// <param name="services">The node's services.</param>
    /// <param name="configure">Optional changes to the settings read from HOCON.</param>
    public static IServiceCollection AddCommandHost(
        this IServiceCollection services,
        Func<CommandHostSettings, CommandHostSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, ClusterPalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, ClusterShardingPalette>());
        services.AddSingleton(provider => new CommandHostService(
            provider.GetRequiredService<ActorSystem>(),
            provider.GetServices<ICommandPalette>(),
            provider.GetService<ILogger<CommandHostService>>(),
            configure));
        services.AddHostedService(provider => provider.GetRequiredService<CommandHostService>());
        return services;
    }
}
