using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Dns;

/// <summary>A resolv.conf's settings: nameservers, search domains and options (<c>ndots:5</c>), in order.</summary>
public sealed record ResolverConfig(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options)
{
    public static ResolverConfig Empty { get; } = new([], [], []);

    /// <summary>
    /// Reads a resolv.conf (<c>nameserver</c>, <c>search</c> or <c>domain</c>, <c>options</c>
    /// lines; the last of <c>search</c>/<c>domain</c> wins, as in glibc; comments and anything else ignored).
    /// </summary>
    public static ResolverConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var nameservers = new List<string>();
        IReadOnlyList<string> searches = [];
        var options = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#', ';')[0];
            var words = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2) continue;
            switch (words[0])
            {
                case "nameserver" when IPAddress.TryParse(words[1], out _):
                    nameservers.Add(words[1]);
                    break;
                case "search" or "domain":
                    searches = words[1..].Select(w => w.TrimEnd('.')).Where(w => w.Length > 0).ToList();
                    break;
                case "options":
                    options.AddRange(words[1..]);
                    break;
            }
        }
        return new ResolverConfig(nameservers, searches, options);
    }
}

/// <summary>
/// The DNS settings of a pod's containers from its <c>dnsPolicy</c> and <c>dnsConfig</c>, as kubelet
/// computes them (its <c>GetPodDNS</c>), pure:
/// <list type="bullet">
/// <item><c>ClusterFirst</c> (the default; also <c>ClusterFirstWithHostNet</c>): the cluster's resolver,
/// search <c>&lt;ns&gt;.svc.&lt;domain&gt; svc.&lt;domain&gt; &lt;domain&gt;</c> then the host's, <c>options ndots:5</c>.
/// Without a cluster resolver it is <c>Default</c>, as in kubelet.</item>
/// <item><c>Default</c>: the host's resolv.conf.</item>
/// <item><c>None</c>: only <c>dnsConfig</c>.</item>
/// </list>
/// <c>dnsConfig</c> adds nameservers and searches (duplicates dropped) and options (one of the same
/// name replaces the policy's). At most 3 nameservers and 32 searches are kept (the resolver's limits).
/// </summary>
public static class PodDns
{
    public const int MaxNameservers = 3;
    public const int MaxSearches = 32;

    /// <summary>
    /// The pod's settings; null means the engine's own default (a <c>Default</c> pod without
    /// <c>dnsConfig</c>: the engine derives it from the host's resolv.conf, leaving out loopback
    /// nameservers a container cannot reach).
    /// </summary>
    /// <param name="pod">The pod.</param>
    /// <param name="clusterNameserver">The cluster resolver's address; null when this node runs none.</param>
    /// <param name="clusterDomain">The cluster's domain (<c>cluster.local</c>).</param>
    /// <param name="host">The host's resolv.conf.</param>
    public static ResolverConfig? For(JsonObject pod, string? clusterNameserver, string clusterDomain, ResolverConfig host)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(host);
        var spec = pod["spec"].AsObjectOrNull();
        var policy = spec.GetString("dnsPolicy") is { Length: > 0 } p ? p : "ClusterFirst";
        var dnsConfig = spec?["dnsConfig"] as JsonObject;
        if (policy is "ClusterFirst" or "ClusterFirstWithHostNet" && clusterNameserver is null) policy = "Default";
        ResolverConfig basis;
        switch (policy)
        {
            case "None":
                basis = ResolverConfig.Empty;
                break;
            case "Default":
                if (dnsConfig is null) return null;
                basis = host;
                break;
            default:
                var domain = clusterDomain.TrimEnd('.');
                basis = new ResolverConfig(
                    [clusterNameserver!],
                    [$"{pod.Namespace()}.svc.{domain}", $"svc.{domain}", domain, .. host.Searches],
                    ["ndots:5"]);
                break;
        }
        return Limit(Merge(basis, dnsConfig));
    }

    private static ResolverConfig Merge(ResolverConfig basis, JsonObject? dnsConfig)
    {
        if (dnsConfig is null) return basis;
        static IEnumerable<string> Strings(JsonNode? node) =>
            (node as JsonArray)?.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().Where(s => s.Length > 0) ?? [];
        var options = basis.Options.ToList();
        foreach (var option in (dnsConfig["options"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (option.GetString("name") is not { Length: > 0 } name) continue;
            options.RemoveAll(o => o == name || o.StartsWith(name + ":", StringComparison.Ordinal));
            options.Add(option.GetString("value") is { Length: > 0 } value ? name + ":" + value : name);
        }
        return new ResolverConfig(
            basis.Nameservers.Concat(Strings(dnsConfig["nameservers"])).Distinct(StringComparer.Ordinal).ToList(),
            basis.Searches.Concat(Strings(dnsConfig["searches"]).Select(s => s.TrimEnd('.'))).Distinct(StringComparer.Ordinal).ToList(),
            options);
    }

    private static ResolverConfig Limit(ResolverConfig config) =>
        config with { Nameservers = config.Nameservers.Take(MaxNameservers).ToList(), Searches = config.Searches.Take(MaxSearches).ToList() };
}
