using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Pods;

/// <summary>
/// Kubernetes' rules about a pod's resources: the default of requests from limits, the QoS class
/// (<c>GetPodQOS</c>) and the CPU shares kubelet gives a container (<c>MilliCPUToShares</c>).
/// </summary>
public static class PodResources
{
    /// <summary>The fewest CPU shares the kernel takes (kubelet's <c>MinShares</c>): a container without a cpu request.</summary>
    public const long MinShares = 2;

    /// <summary>The most CPU shares (kubelet's <c>MaxShares</c>).</summary>
    public const long MaxShares = 262144;

    private static readonly string[] QosResources = ["cpu", "memory"];

    /// <summary>
    /// Copies every limit without a request into the requests, as the API server defaults a pod's
    /// containers and init containers (a container with only limits requests what it may use).
    /// </summary>
    public static void DefaultRequests(JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var c in Containers(spec))
        {
            if (c["resources"] is not JsonObject resources || resources["limits"] is not JsonObject limits || limits.Count == 0) continue;
            if (resources["requests"] is not JsonObject requests) resources["requests"] = requests = new JsonObject();
            foreach (var (name, value) in limits) requests[name] ??= value?.DeepClone();
        }
    }

    /// <summary>
    /// <c>Guaranteed</c> when every container and init container has cpu and memory limits and its
    /// requests (defaulted from the limits) add up to the same; <c>BestEffort</c> when none requests
    /// or limits cpu or memory; else <c>Burstable</c>. Other resources (ephemeral-storage) do not count.
    /// </summary>
    public static string QosClass(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var requests = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var limits = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var guaranteed = true;
        foreach (var c in Containers(pod["spec"] as JsonObject))
        {
            var containerLimits = Positive(c["resources"]?["limits"]);
            var containerRequests = Positive(c["resources"]?["requests"]);
            foreach (var (name, value) in containerLimits) containerRequests.TryAdd(name, value);
            foreach (var (name, value) in containerRequests) requests[name] = requests.GetValueOrDefault(name) + value;
            foreach (var (name, value) in containerLimits) limits[name] = limits.GetValueOrDefault(name) + value;
            if (!QosResources.All(containerLimits.ContainsKey)) guaranteed = false;
        }
        if (requests.Count == 0 && limits.Count == 0) return "BestEffort";
        if (guaranteed && requests.All(r => limits.TryGetValue(r.Key, out var l) && l == r.Value) && requests.Count == limits.Count) return "Guaranteed";
        return "Burstable";
    }

    /// <summary>The CPU shares of a container requesting <paramref name="milliCpu"/> (1024 per CPU, at least <see cref="MinShares"/>).</summary>
    public static long CpuShares(long milliCpu)
    {
        if (milliCpu <= 0) return MinShares;
        var shares = milliCpu * 1024 / 1000;
        return Math.Clamp(shares, MinShares, MaxShares);
    }

    /// <summary>The cpu and memory quantities above zero of a requests or limits map; unreadable ones are left out (validation reports them).</summary>
    private static Dictionary<string, decimal> Positive(JsonNode? values)
    {
        var result = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (name, text) in ObjectMeta.StringMap(values))
        {
            if (QosResources.Contains(name) && Quantities.TryParse(text, out var value) && value > 0) result[name] = value;
        }
        return result;
    }

    private static IEnumerable<JsonObject> Containers(JsonObject? spec) =>
        new[] { "containers", "initContainers" }.SelectMany(list => (spec?[list] as JsonArray)?.OfType<JsonObject>() ?? []);
}
