using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent;

/// <summary>
/// Pure construction of this member's Node object (labels, capacity, addresses, nodeInfo,
/// conditions, the API endpoint other members forward to) and of its heartbeat.
/// </summary>
public static class NodeRegistration
{
    /// <summary>The annotation holding the node's API address (for forwarded <c>kubectl logs</c>).</summary>
    public const string ApiEndpointAnnotation = "orchestrator.io/api-endpoint";

    /// <summary>The kubelet version nodes report; matches the API server's version.</summary>
    public const string KubeletVersion = "v1.30.0-orchestrator";

    /// <param name="member">This member's unique cluster address (<c>orchestrator.io/member</c>): other members forward log requests to it, and once it is removed from the cluster the node is known to be gone.</param>
    /// <param name="serviceRelay">This node's endpoint relay (<c>host:port</c>) for other nodes' service proxies, in <see cref="Proxy.ServiceProxySettings.RelayAnnotation"/>.</param>
    public static JsonObject Node(string nodeName, RuntimeInfo info, string hostIp, Uri? apiEndpoint, DateTimeOffset now, string? member = null, string? serviceRelay = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        var arch = info.Architecture switch { "x86_64" => "amd64", "aarch64" => "arm64", var a => a };
        var os = "linux";
        var capacity = new JsonObject
        {
            ["cpu"] = info.Cpus.ToString(CultureInfo.InvariantCulture),
            ["memory"] = (info.MemoryBytes / 1024).ToString(CultureInfo.InvariantCulture) + "Ki",
            ["pods"] = "110",
        };
        var metadata = new JsonObject
        {
            ["name"] = nodeName,
            ["labels"] = new JsonObject
            {
                ["kubernetes.io/hostname"] = nodeName,
                ["kubernetes.io/os"] = os,
                ["kubernetes.io/arch"] = arch,
            },
        };
        var annotations = new JsonObject();
        if (apiEndpoint is not null) annotations[ApiEndpointAnnotation] = apiEndpoint.ToString().TrimEnd('/');
        if (member is not null) annotations[Domain.Controllers.NodeLifecycle.MemberAnnotation] = member;
        if (serviceRelay is not null) annotations[Proxy.ServiceProxySettings.RelayAnnotation] = serviceRelay;
        if (annotations.Count > 0) metadata["annotations"] = annotations;
        var status = new JsonObject
        {
            ["capacity"] = capacity,
            ["allocatable"] = capacity.DeepClone(),
            ["conditions"] = new JsonArray
            {
                Condition("Ready", "True", "KubeletReady", "orchestrator node agent is posting ready status", now),
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "node agent has sufficient memory available", now),
            },
            ["addresses"] = new JsonArray
            {
                new JsonObject { ["type"] = "InternalIP", ["address"] = hostIp },
                new JsonObject { ["type"] = "Hostname", ["address"] = nodeName },
            },
            ["daemonEndpoints"] = new JsonObject
            {
                ["kubeletEndpoint"] = new JsonObject { ["Port"] = apiEndpoint?.Port ?? 0 },
            },
            ["nodeInfo"] = new JsonObject
            {
                ["machineID"] = "",
                ["systemUUID"] = "",
                ["bootID"] = "",
                ["kernelVersion"] = info.KernelVersion,
                ["osImage"] = info.OperatingSystem,
                ["containerRuntimeVersion"] = $"{info.RuntimeName}://{info.EngineVersion}",
                ["kubeletVersion"] = KubeletVersion,
                ["kubeProxyVersion"] = "",
                ["operatingSystem"] = os,
                ["architecture"] = arch,
            },
        };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject(),
            ["status"] = status,
        };
    }

    /// <summary>A copy of <paramref name="node"/> with the Ready condition's heartbeat at <paramref name="now"/>.</summary>
    public static JsonObject WithHeartbeat(JsonObject node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(node);
        var copy = (JsonObject)node.DeepClone();
        foreach (var condition in (copy["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>())
            condition["lastHeartbeatTime"] = ObjectMeta.FormatTime(now);
        return copy;
    }

    private static JsonObject Condition(string type, string status, string reason, string message, DateTimeOffset now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastHeartbeatTime"] = ObjectMeta.FormatTime(now),
        ["lastTransitionTime"] = ObjectMeta.FormatTime(now),
        ["reason"] = reason,
        ["message"] = message,
    };

    /// <summary>
    /// The node's address: the first IPv4 address of an interface that is up and is not loopback
    /// or one of the engine's bridges; 127.0.0.1 when there is none.
    /// </summary>
    public static string HostIp()
    {
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback) continue;
                if (nic.Name.StartsWith("docker", StringComparison.Ordinal) || nic.Name.StartsWith("br-", StringComparison.Ordinal) || nic.Name.StartsWith("veth", StringComparison.Ordinal)) continue;
                var address = nic.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork);
                if (address is not null) return address.Address.ToString();
            }
        }
        catch (NetworkInformationException)
        {
        }
        return "127.0.0.1";
    }
}
