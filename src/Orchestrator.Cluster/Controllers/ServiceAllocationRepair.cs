using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.ServiceAllocations;
using Orchestrator.Domain.Services;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// The repair loop of ClusterIP and NodePort allocation (Kubernetes runs one per allocator):
/// frees an allocation whose Service is gone or no longer holds its value, once it is older than
/// the grace period, so values leaked by a crash between the allocation and the Service's create,
/// or held by a Service that was deleted through a finalizer, come back to the range.
/// </summary>
public sealed class ServiceAllocationRepair : ControllerActor
{
    private readonly TimeSpan _grace;
    private readonly Dictionary<string, JsonObject> _allocations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _services = new(StringComparer.Ordinal);

    public ServiceAllocationRepair(IControllerStore store, TimeSpan grace, TimeProvider time)
        : base(store, [ObjectFilter.All(ServiceAllocationKind.Instance.Kind), ObjectFilter.All(ServiceKind.Instance.Kind)], time)
    {
        _grace = grace;
    }

    public static Props Props(IControllerStore store, TimeSpan grace, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new ServiceAllocationRepair(store, grace, time));

    protected override IEnumerable<string> AllKeys() => _allocations.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        if (kind == ServiceAllocationKind.Instance.Kind)
        {
            UpdateCache(_allocations, obj.Name(), e);
            return [obj.Name()];
        }
        UpdateCache(_services, KeyOf(obj), e);
        // The values it held (or holds) may have become free.
        return ServiceAddressRules.Held(obj).Where(_allocations.ContainsKey).ToList();
    }

    protected override Task Sync(string key)
    {
        if (!_allocations.TryGetValue(key, out var allocation)) return Task.CompletedTask;
        var (ns, name) = ServiceAllocationKind.Service(allocation);
        _services.TryGetValue($"{ns}/{name}", out var service);
        var now = Time.GetUtcNow();
        if (!ServiceAddressRules.IsLeaked(allocation, service, now, _grace))
        {
            // Too young to judge: look again once the grace has passed.
            if (allocation.Timestamp("creationTimestamp") is { } created && now - created < _grace) RetryAfter(key, created + _grace - now + TimeSpan.FromSeconds(1));
            return Task.CompletedTask;
        }
        return IgnoreGone(Store.Delete(ServiceAllocationKind.Instance, "", key, new DeleteRequest(), Stopping));
    }
}
