using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.ServiceAllocations;
using Orchestrator.Domain.Services;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Cluster.Services;

/// <summary>
/// Grants a new Service its ClusterIP and NodePorts and takes them back. A value is granted by
/// creating its <see cref="ServiceAllocationKind"/> object (one entity per value, so the create
/// either wins or gets AlreadyExists, whichever member asks); a free value is picked at random
/// among those this member's index does not list as taken, and another one tried when a create
/// finds it taken meanwhile. A requested value that is taken is a 422 naming the field.
/// </summary>
public sealed class ServiceAddressAllocator(ResourceStore store, ServiceRanges ranges)
{
    private const int Attempts = 16;

    public ServiceRanges Ranges => ranges;

    /// <summary>Grants what the Service needs and writes it into <paramref name="service"/>; returns the allocation names granted.</summary>
    public async Task<IReadOnlyList<string>> Allocate(string ns, JsonObject service, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        var (claims, errors) = ServiceAddressRules.Needs(service, ranges);
        if (errors.Count > 0) throw Invalid(service, errors);
        if (claims.Count == 0) return [];
        var granted = new List<(AddressClaim, string)>();
        var names = new List<string>();
        try
        {
            HashSet<string>? taken = null;
            foreach (var claim in claims)
            {
                if (claim.Requested is { } requested)
                {
                    if (!await TryClaim(claim.Range, requested, ns, service.Name(), ct))
                    {
                        throw Invalid(service, [claim.Range == ServiceAllocationKind.ClusterIp
                            ? FieldError.Invalid(claim.Field, requested, "provided IP is already allocated")
                            : FieldError.Invalid(claim.Field, long.Parse(requested, System.Globalization.CultureInfo.InvariantCulture), "provided port is already allocated")]);
                    }
                    granted.Add((claim, requested));
                    names.Add(ServiceAllocationKind.NameOf(claim.Range, requested));
                    continue;
                }
                taken ??= await Taken(ct);
                var value = await ClaimAny(claim.Range, taken, ns, service.Name(), ct);
                granted.Add((claim, value));
                names.Add(ServiceAllocationKind.NameOf(claim.Range, value));
            }
        }
        catch
        {
            await Release(names, CancellationToken.None);
            throw;
        }
        ServiceAddressRules.Assign(service, granted);
        return names;
    }

    /// <summary>Gives the named allocations back (those already gone are fine).</summary>
    public async Task Release(IEnumerable<string> names, CancellationToken ct)
    {
        foreach (var name in names)
        {
            try
            {
                await store.Delete(ServiceAllocationKind.Instance, "", name, new DeleteRequest(), ct);
            }
            catch (ApiErrorException e) when (e.Error.Code == 404)
            {
            }
        }
    }

    /// <summary>Gives back what a deleted Service held, where the allocation is still its own.</summary>
    public async Task ReleaseHeldBy(JsonObject service, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        var mine = new List<string>();
        foreach (var name in ServiceAddressRules.Held(service))
        {
            try
            {
                var allocation = await store.Get(ServiceAllocationKind.Instance, "", name, ct);
                if (ServiceAllocationKind.Service(allocation) == (service.Namespace(), service.Name())) mine.Add(name);
            }
            catch (ApiErrorException e) when (e.Error.Code == 404)
            {
            }
        }
        await Release(mine, ct);
    }

    private async Task<HashSet<string>> Taken(CancellationToken ct)
    {
        var list = await store.List(ObjectFilter.All(ServiceAllocationKind.Instance.Kind), ct);
        return list.Items.Select(ServiceAllocationKind.Value).ToHashSet(StringComparer.Ordinal);
    }

    private async Task<string> ClaimAny(string range, HashSet<string> taken, string ns, string name, CancellationToken ct)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var value = ServiceAddressRules.PickFree(range, ranges, taken, Random.Shared)
                ?? throw new ApiErrorException(ApiError.ServiceUnavailable($"failed to allocate a {Describe(range)}: the range {RangeText(range)} is full"));
            taken.Add(value);
            if (await TryClaim(range, value, ns, name, ct)) return value;
        }
        throw new ApiErrorException(ApiError.ServiceUnavailable($"failed to allocate a {Describe(range)}: {Attempts} picks from {RangeText(range)} were all taken meanwhile"));
    }

    private async Task<bool> TryClaim(string range, string value, string ns, string name, CancellationToken ct)
    {
        try
        {
            await store.Create(ServiceAllocationKind.Instance, "", ServiceAllocationKind.New(range, value, ns, name), ct);
            return true;
        }
        catch (ApiErrorException e) when (e.Error.Reason == "AlreadyExists")
        {
            return false;
        }
    }

    private static string Describe(string range) => range == ServiceAllocationKind.ClusterIp ? "cluster IP" : "node port";

    private string RangeText(string range) => range == ServiceAllocationKind.ClusterIp ? ranges.ClusterIps.ToString() : ranges.NodePorts.ToString();

    private static ApiErrorException Invalid(JsonObject service, IEnumerable<FieldError> errors) =>
        new(ApiError.Invalid(ServiceKind.Instance, service.Name(), errors.Select(e => new ApiErrorCause(e.Reason, e.Body, e.Field)).ToList()));
}
