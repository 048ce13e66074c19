using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.NodeAgent;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>A ConfigMap or Secret a container's environment reads.</summary>
/// <param name="Kind"><c>ConfigMap</c> or <c>Secret</c>.</param>
/// <param name="Name">Its name, in the pod's namespace.</param>
public sealed record EnvSource(string Kind, string Name);

/// <summary>A container's settings could not be computed (Kubernetes' <c>CreateContainerConfigError</c>).</summary>
public sealed class ContainerConfigException(string message) : Exception(message)
{
    public const string Reason = "CreateContainerConfigError";
}

/// <summary>
/// Pure translation of a pod spec into what the runtime creates: the sandbox (host ports, labels)
/// and one <see cref="ContainerConfig"/> per container (image, command/args, workingDir, env,
/// limits). ConfigMaps and Secrets are looked up by the caller first (<see cref="EnvSources"/>), so
/// this stays free of I/O and is unit-tested on its own.
/// </summary>
public static class PodSpecMapping
{
    /// <summary>The pod's identity as the runtime labels its containers.</summary>
    public static PodIdentity Identity(JsonObject pod) => new(pod.Namespace(), pod.Name(), pod.Uid() ?? "");

    /// <summary>The host ports of all containers: they are published on the sandbox, which owns the network.</summary>
    public static IReadOnlyList<PortMapping> PortMappings(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return (pod.Spec?.Containers ?? [])
            .SelectMany(c => c.Ports ?? [])
            .Where(p => p.HostPort is > 0)
            .Select(p => new PortMapping(p.ContainerPort, p.HostPort!.Value, ParseProtocol(p.Protocol), string.IsNullOrEmpty(p.HostIP) ? null : p.HostIP))
            .ToList();
    }

    public static PodSandboxConfig SandboxConfig(JsonObject pod, int attempt)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var typed = Domain.Pods.PodKind.Typed(pod);
        return new PodSandboxConfig(Identity(pod), PortMappings(typed), pod.Labels(), attempt);
    }

    /// <summary>
    /// Whether the container's configuration depends on the pod's IP address (an env var from
    /// <c>fieldRef: status.podIP</c>), which is known only once the sandbox runs.
    /// </summary>
    public static bool NeedsPodIp(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return container.Env?.Any(e => e.ValueFrom?.FieldRef?.FieldPath is "status.podIP" or "status.podIPs") == true;
    }

    /// <summary>The pod's restart policy (Always when absent).</summary>
    public static RestartPolicy RestartPolicyOf(V1Pod pod) => RestartPolicyDecision.Parse(pod?.Spec?.RestartPolicy);

    /// <summary>The image pull policy of a container; Kubernetes' default (Always for <c>:latest</c> or no tag) when absent.</summary>
    public static ImagePullPolicy PullPolicy(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return container.ImagePullPolicy switch
        {
            "Always" => ImagePullPolicy.Always,
            "Never" => ImagePullPolicy.Never,
            "IfNotPresent" => ImagePullPolicy.IfNotPresent,
            _ => container.Image is { } image && (image.EndsWith(":latest", StringComparison.Ordinal) || !image.Contains(':', StringComparison.Ordinal))
                ? ImagePullPolicy.Always
                : ImagePullPolicy.IfNotPresent,
        };
    }

    /// <summary>The ConfigMaps and Secrets the container's env reads (to fetch before <see cref="ContainerConfigFor"/>).</summary>
    public static IReadOnlyList<EnvSource> EnvSources(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var sources = new List<EnvSource>();
        foreach (var env in container.Env ?? [])
        {
            if (env.ValueFrom?.ConfigMapKeyRef is { Name: { Length: > 0 } cm }) sources.Add(new EnvSource("ConfigMap", cm));
            if (env.ValueFrom?.SecretKeyRef is { Name: { Length: > 0 } secret }) sources.Add(new EnvSource("Secret", secret));
        }
        foreach (var from in container.EnvFrom ?? [])
        {
            if (from.ConfigMapRef is { Name: { Length: > 0 } cm }) sources.Add(new EnvSource("ConfigMap", cm));
            if (from.SecretRef is { Name: { Length: > 0 } secret }) sources.Add(new EnvSource("Secret", secret));
        }
        return sources.Distinct().ToList();
    }

    /// <summary>
    /// The runtime's settings for <paramref name="container"/> of <paramref name="pod"/>.
    /// <paramref name="sources"/> holds every object of <see cref="EnvSources"/> that exists (a
    /// missing one is absent from it). <paramref name="serviceEnvironment"/> (see
    /// <see cref="Domain.Services.ServiceEnvironment"/>) comes after the container's own variables,
    /// less the names the container sets itself.
    /// </summary>
    /// <exception cref="ContainerConfigException">A referenced ConfigMap, Secret or key is missing and not optional, or a limit is unreadable.</exception>
    public static ContainerConfig ContainerConfigFor(
        JsonObject pod,
        V1Container container,
        IReadOnlyDictionary<EnvSource, JsonObject> sources,
        string? podIp,
        int restartCount,
        IReadOnlyList<KeyValuePair<string, string>>? serviceEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(sources);
        var env = new List<EnvVar>();
        foreach (var from in container.EnvFrom ?? [])
        {
            var (kind, name, optional) = from.ConfigMapRef is { } cm ? ("ConfigMap", cm.Name, cm.Optional) : ("Secret", from.SecretRef?.Name ?? "", from.SecretRef?.Optional);
            if (!sources.TryGetValue(new EnvSource(kind, name), out var obj))
            {
                if (optional == true) continue;
                throw new ContainerConfigException($"{kind.ToLowerInvariant()} \"{name}\" not found");
            }
            foreach (var (key, value) in DataOf(kind, obj)) env.Add(new EnvVar((from.Prefix ?? "") + key, value));
        }
        foreach (var e in container.Env ?? [])
        {
            if (e.ValueFrom is null)
            {
                env.Add(new EnvVar(e.Name, e.Value ?? ""));
                continue;
            }
            if (e.ValueFrom.ConfigMapKeyRef is { } cmRef)
            {
                if (Lookup(pod, "ConfigMap", cmRef.Name, cmRef.Key, cmRef.Optional, sources) is { } value) env.Add(new EnvVar(e.Name, value));
            }
            else if (e.ValueFrom.SecretKeyRef is { } secretRef)
            {
                if (Lookup(pod, "Secret", secretRef.Name, secretRef.Key, secretRef.Optional, sources) is { } value) env.Add(new EnvVar(e.Name, value));
            }
            else if (e.ValueFrom.FieldRef is { } field)
            {
                env.Add(new EnvVar(e.Name, FieldValue(pod, field.FieldPath, podIp)));
            }
            else
            {
                throw new ContainerConfigException($"env {e.Name}: only value, configMapKeyRef, secretKeyRef and fieldRef are supported");
            }
        }
        if (serviceEnvironment is { Count: > 0 })
        {
            var own = env.Select(v => new KeyValuePair<string, string>(v.Name, v.Value)).ToList();
            env = Domain.Services.ServiceEnvironment.Merge(own, serviceEnvironment).Select(v => new EnvVar(v.Key, v.Value)).ToList();
        }
        var limits = container.Resources?.Limits;
        var requests = container.Resources?.Requests;
        long? cpu = null, memory = null;
        long requestedCpu = 0;
        try
        {
            if (limits is not null && limits.TryGetValue("cpu", out var cpuQuantity))
                cpu = (long)Math.Ceiling(cpuQuantity.ToDecimal() * 1000m);
            if (limits is not null && limits.TryGetValue("memory", out var memoryQuantity))
                memory = memoryQuantity.ToInt64();
            // The request weighs the container's CPU time (a limit without a request is its request, as the API defaults it).
            requestedCpu = requests is not null && requests.TryGetValue("cpu", out var cpuRequest) ? (long)Math.Ceiling(cpuRequest.ToDecimal() * 1000m) : cpu ?? 0;
        }
        catch (FormatException e)
        {
            throw new ContainerConfigException($"resources.limits of container {container.Name}: {e.Message}");
        }
        return new ContainerConfig(
            container.Name,
            container.Image,
            container.Command?.ToList(),
            container.Args?.ToList(),
            string.IsNullOrEmpty(container.WorkingDir) ? null : container.WorkingDir,
            env,
            cpu is > 0 ? cpu : null,
            memory is > 0 ? memory : null,
            pod.Labels(),
            restartCount,
            CpuShares: Domain.Pods.PodResources.CpuShares(requestedCpu));
    }

    private static string? Lookup(JsonObject pod, string kind, string name, string key, bool? optional, IReadOnlyDictionary<EnvSource, JsonObject> sources)
    {
        if (!sources.TryGetValue(new EnvSource(kind, name), out var obj))
        {
            return optional == true ? null : throw new ContainerConfigException($"{kind.ToLowerInvariant()} \"{name}\" not found");
        }
        var data = DataOf(kind, obj);
        if (data.TryGetValue(key, out var value)) return value;
        return optional == true ? null : throw new ContainerConfigException($"couldn't find key {key} in {kind} {pod.Namespace()}/{name}");
    }

    private static Dictionary<string, string> DataOf(string kind, JsonObject obj)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (kind == "Secret")
        {
            foreach (var (k, v) in ObjectMeta.StringMap(obj["data"]))
            {
                try
                {
                    result[k] = Encoding.UTF8.GetString(Convert.FromBase64String(v));
                }
                catch (FormatException)
                {
                    throw new ContainerConfigException($"secret {obj.Name()}: data.{k} is not base64");
                }
            }
            foreach (var (k, v) in ObjectMeta.StringMap(obj["stringData"])) result[k] = v;
        }
        else
        {
            foreach (var (k, v) in ObjectMeta.StringMap(obj["data"])) result[k] = v;
        }
        return result;
    }

    private static string FieldValue(JsonObject pod, string path, string? podIp) => path switch
    {
        "metadata.name" => pod.Name(),
        "metadata.namespace" => pod.Namespace(),
        "metadata.uid" => pod.Uid() ?? "",
        "spec.nodeName" => pod["spec"]?["nodeName"]?.GetValue<string>() ?? "",
        "spec.serviceAccountName" => pod["spec"]?["serviceAccountName"]?.GetValue<string>() ?? "",
        "status.podIP" => podIp ?? "",
        _ when path.StartsWith("metadata.labels['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal)
            => pod.Labels().GetValueOrDefault(path["metadata.labels['".Length..^2]) ?? "",
        _ when path.StartsWith("metadata.annotations['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal)
            => pod.Annotations().GetValueOrDefault(path["metadata.annotations['".Length..^2]) ?? "",
        _ => throw new ContainerConfigException($"fieldRef {path} is not supported"),
    };

    private static PortProtocol ParseProtocol(string? protocol) => protocol?.ToUpperInvariant() switch
    {
        "UDP" => PortProtocol.Udp,
        "SCTP" => PortProtocol.Sctp,
        _ => PortProtocol.Tcp,
    };

    /// <summary>The grace period of a deleting pod, in seconds (its deletionGracePeriodSeconds, else the spec's, else 30).</summary>
    public static TimeSpan GracePeriod(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var seconds = pod.Metadata()["deletionGracePeriodSeconds"].GetLong()
            ?? pod["spec"]?["terminationGracePeriodSeconds"].GetLong()
            ?? 30;
        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
