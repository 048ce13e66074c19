using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api;

/// <summary>The discovery documents kubectl and the client libraries read first: /api, /apis, /api/v1, /apis/apps/v1, /version.</summary>
internal static class Discovery
{
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "30",
        ["gitVersion"] = "v1.30.0-orchestrator",
        ["gitCommit"] = "",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-11-25T00:00:00Z",
        ["goVersion"] = "dotnet" + Environment.Version,
        ["compiler"] = "roslyn",
        ["platform"] = $"{(OperatingSystem.IsLinux() ? "linux" : "other")}/{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static IEnumerable<string> Groups => ResourceKinds.Served.Select(k => k.Group).Where(g => g.Length > 0).Distinct();

    public static JsonObject Group(string group) => new()
    {
        ["kind"] = "APIGroup",
        ["apiVersion"] = "v1",
        ["name"] = group,
        ["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = $"{group}/v1", ["version"] = "v1" }),
        ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/v1", ["version"] = "v1" },
    };

    public static JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(Groups.Select(g => (JsonNode)Group(g)).ToArray()),
    };

    public static JsonObject ResourceList(string group)
    {
        var resources = new JsonArray();
        foreach (var kind in ResourceKinds.Served.Where(k => k.Group == group))
        {
            var main = new JsonObject
            {
                ["name"] = kind.Plural,
                ["singularName"] = kind.Singular,
                ["namespaced"] = kind.Namespaced,
                ["kind"] = kind.Kind,
                ["verbs"] = new JsonArray(kind.Verbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (kind.ShortNames.Count > 0) main["shortNames"] = new JsonArray(kind.ShortNames.Select(s => (JsonNode)s).ToArray());
            if (kind.Group is "apps" or "batch") main["categories"] = new JsonArray("all");
            if (kind.Kind is "Pod" or "Service") main["categories"] = new JsonArray("all");
            resources.Add(main);
            if (kind.HasStatusSubresource) resources.Add(Sub(kind, "status", kind.Kind, ["get", "patch", "update"]));
            if (kind.HasScaleSubresource)
            {
                var scale = Sub(kind, "scale", "Scale", ["get", "patch", "update"]);
                scale["group"] = "autoscaling";
                scale["version"] = "v1";
                resources.Add(scale);
            }
            if (kind.Kind == "Pod")
            {
                resources.Add(Sub(kind, "binding", "Binding", ["create"]));
                resources.Add(Sub(kind, "log", "Pod", ["get"]));
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? "v1" : $"{group}/v1",
            ["resources"] = resources,
        };
    }

    private static JsonObject Sub(ResourceKind kind, string name, string subKind, string[] verbs) => new()
    {
        ["name"] = $"{kind.Plural}/{name}",
        ["singularName"] = "",
        ["namespaced"] = kind.Namespaced,
        ["kind"] = subKind,
        ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode)v).ToArray()),
    };
}
