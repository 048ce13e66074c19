using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Endpoints;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Services;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Keeps every Service's Endpoints and EndpointSlices (Kubernetes' endpoints and endpointslice
/// controllers in one): watches Services, pods, Endpoints and slices, enqueues the Services a
/// change concerns (a pod's by its labels, before and after), and per Service writes what the pure
/// <see cref="EndpointsReconciler"/> plans. A readiness change is one pod event and one sync, so
/// the endpoints follow it within the journal's round trip.
/// </summary>
public sealed class EndpointsController : ControllerActor
{
    private readonly Dictionary<string, JsonObject> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _podsByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _endpoints = new(StringComparer.Ordinal);
    // Slices by the key of their Service (the kubernetes.io/service-name label), then by name.
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _slices = new(StringComparer.Ordinal);

    public EndpointsController(IControllerStore store)
        : base(store,
        [
            ObjectFilter.All(ServiceKind.Instance.Kind), ObjectFilter.All(PodKind.Instance.Kind),
            ObjectFilter.All(EndpointsKind.Instance.Kind), ObjectFilter.All(EndpointSliceKind.Instance.Kind),
        ])
    {
    }

    public static Props Props(IControllerStore store) => Akka.Actor.Props.Create(() => new EndpointsController(store));

    protected override IEnumerable<string> AllKeys() => _services.Keys.Concat(_endpoints.Keys).Concat(_slices.Keys).Distinct(StringComparer.Ordinal).ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        var key = KeyOf(obj);
        var deleted = e.Type == WatchEventType.Deleted;
        if (kind == ServiceKind.Instance.Kind || kind == EndpointsKind.Instance.Kind)
        {
            UpdateCache(kind == ServiceKind.Instance.Kind ? _services : _endpoints, key, e);
            return [key];
        }
        if (kind == EndpointSliceKind.Instance.Kind)
        {
            if (obj.Labels().GetValueOrDefault(EndpointSliceKind.ServiceNameLabel) is not { Length: > 0 } service) return [];
            var serviceKey = $"{obj.Namespace()}/{service}";
            if (!_slices.TryGetValue(serviceKey, out var slices)) _slices[serviceKey] = slices = new(StringComparer.Ordinal);
            if (deleted) slices.Remove(obj.Name());
            else slices[obj.Name()] = obj;
            if (slices.Count == 0) _slices.Remove(serviceKey);
            return [serviceKey];
        }

        var ns = obj.Namespace();
        if (!_podsByNamespace.TryGetValue(ns, out var pods)) _podsByNamespace[ns] = pods = new(StringComparer.Ordinal);
        var previous = UpdateCache(pods, obj.Name(), e);
        if (!MayMatter(e, previous, EndpointsReconciler.SameInputs)) return [];
        var keys = new List<string>();
        foreach (var (serviceKey, service) in _services)
        {
            if (service.Namespace() != ns || EndpointsReconciler.Selector(service) is not { } selector) continue;
            if (selector.Matches(obj) || (previous is not null && selector.Matches(previous))) keys.Add(serviceKey);
        }
        return keys;
    }

    protected override Task Sync(string key)
    {
        var separator = key.IndexOf('/', StringComparison.Ordinal);
        var ns = key[..separator];
        _services.TryGetValue(key, out var service);
        _endpoints.TryGetValue(key, out var endpoints);
        var slices = _slices.TryGetValue(key, out var s) ? s.Values.ToList() : [];
        var pods = _podsByNamespace.TryGetValue(ns, out var p) ? p.Values : (IEnumerable<JsonObject>)[];
        var plan = EndpointsReconciler.Reconcile(service, pods, endpoints, slices);
        if (plan.IsEmpty) return Task.CompletedTask;
        var existingSlices = slices.Select(x => x.Name()).ToHashSet(StringComparer.Ordinal);
        return Apply(Store, ns, key[(separator + 1)..], plan, endpoints is not null, existingSlices, Stopping);
    }

    private static async Task Apply(IControllerStore store, string ns, string name, EndpointsPlan plan, bool endpointsExist, HashSet<string> existingSlices, CancellationToken ct)
    {
        if (plan.Endpoints is { } endpoints)
            await CreateOrPatch(store, EndpointsKind.Instance, ns, endpoints, endpointsExist, ["subsets"], ct);
        if (plan.DeleteEndpoints)
            await IgnoreGone(store.Delete(EndpointsKind.Instance, ns, name, new DeleteRequest(), ct));
        foreach (var slice in plan.Slices)
            await CreateOrPatch(store, EndpointSliceKind.Instance, ns, slice, existingSlices.Contains(slice.Name()), ["endpoints", "ports", "addressType"], ct);
        foreach (var slice in plan.DeleteSlices)
            await IgnoreGone(store.Delete(EndpointSliceKind.Instance, ns, slice, new DeleteRequest(), ct));
    }

    /// <summary>Creates the object, or merges its labels and <paramref name="fields"/> into the one that exists (also when a create finds it there).</summary>
    private static async Task CreateOrPatch(IControllerStore store, ResourceKind kind, string ns, JsonObject desired, bool exists, string[] fields, CancellationToken ct)
    {
        if (!exists)
        {
            try
            {
                await store.Create(kind, ns, desired, ct);
                return;
            }
            catch (ApiErrorException e) when (e.Error.Code == 409)
            {
            }
        }
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = desired.Metadata()["labels"]?.DeepClone() } };
        foreach (var field in fields) patch[field] = desired[field]?.DeepClone() ?? new JsonArray();
        await store.Patch(kind, ns, desired.Name(), PatchType.Merge, patch, ct: ct);
    }
}
