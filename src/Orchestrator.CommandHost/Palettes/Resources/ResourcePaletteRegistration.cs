using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>DI registration of the palettes over the control plane's objects.</summary>
public static class ResourcePaletteRegistration
{
    /// <summary>
    /// Registers <c>node</c>, <c>pod</c>, <c>deploy</c>, <c>rollout</c>, <c>svc</c>, <c>config</c>,
    /// <c>secret</c>, <c>job</c>, <c>cronjob</c> and <c>resource</c>. They need the node's <c>ResourceStore</c>, <c>TimeProvider</c>
    /// and <c>ActorSystem</c> in DI; call next to <c>AddCommandHost()</c>.
    /// </summary>
    public static IServiceCollection AddOrchestratorPalettes(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, NodePalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, PodPalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, DeploymentPalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, RolloutPalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, ServicePalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, ConfigMapPalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, SecretPalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, JobPalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, CronJobPalette>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandPalette, ManifestPalette>());
        return services;
    }
}
