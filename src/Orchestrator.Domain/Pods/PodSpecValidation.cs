using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Pods;

/// <summary>
/// Validation of a pod spec, shared by Pod and by the pod templates of ReplicaSet and Deployment.
/// Field paths and messages follow Kubernetes (<c>spec.containers[0].image: Required value</c>).
/// </summary>
public static class PodSpecValidation
{
    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] Protocols = ["TCP", "UDP", "SCTP"];

    public static IEnumerable<FieldError> Validate(JsonNode? specNode, string path, bool template = false)
    {
        if (specNode is not JsonObject spec)
        {
            yield return FieldError.Required(path);
            yield break;
        }

        // Container names are unique across containers and init containers (as in Kubernetes).
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (spec["containers"] is not JsonArray containers || containers.Count == 0)
        {
            yield return FieldError.Required($"{path}.containers");
        }
        else
        {
            var hostPorts = new HashSet<(long, string)>();
            for (var i = 0; i < containers.Count; i++)
            {
                foreach (var e in ValidateContainer(containers[i] as JsonObject, $"{path}.containers[{i}]", names, hostPorts)) yield return e;
            }
        }
        if (spec["initContainers"] is JsonArray inits)
        {
            var hostPorts = new HashSet<(long, string)>();
            for (var i = 0; i < inits.Count; i++)
            {
                foreach (var e in ValidateContainer(inits[i] as JsonObject, $"{path}.initContainers[{i}]", names, hostPorts, init: true)) yield return e;
            }
        }

        var restart = spec.GetString("restartPolicy");
        if (restart is not null && !RestartPolicies.Contains(restart))
        {
            yield return new FieldError($"{path}.restartPolicy", FieldErrorType.NotSupported,
                $"\"{restart}\": supported values: \"Always\", \"OnFailure\", \"Never\"");
        }
        if (template && restart is not null && restart != "Always")
        {
            yield return new FieldError($"{path}.restartPolicy", FieldErrorType.NotSupported,
                $"\"{restart}\": supported values: \"Always\"");
        }
        if (spec["terminationGracePeriodSeconds"].GetLong() is { } grace && grace < 0)
        {
            yield return FieldError.Invalid($"{path}.terminationGracePeriodSeconds", grace, "must be greater than or equal to 0");
        }
        if (spec.GetString("nodeName") is { Length: > 0 } nodeName)
        {
            foreach (var e in NameValidation.IsDns1123Subdomain(nodeName, $"{path}.nodeName")) yield return e;
        }
        if (spec["nodeSelector"] is JsonObject selector)
        {
            foreach (var e in NameValidation.ValidateLabels(selector, $"{path}.nodeSelector")) yield return e;
        }
        foreach (var e in VolumeValidation.Validate(spec, path)) yield return e;
    }

    private static IEnumerable<FieldError> ValidateContainer(JsonObject? c, string path, HashSet<string> names, HashSet<(long, string)> hostPorts, bool init = false)
    {
        if (c is null)
        {
            yield return FieldError.Required(path);
            yield break;
        }
        var name = c.GetString("name");
        if (string.IsNullOrEmpty(name))
        {
            yield return FieldError.Required($"{path}.name");
        }
        else
        {
            foreach (var e in NameValidation.IsDns1123Label(name, $"{path}.name")) yield return e;
            if (!names.Add(name)) yield return FieldError.Duplicate($"{path}.name", name);
        }
        if (string.IsNullOrWhiteSpace(c.GetString("image")))
        {
            yield return FieldError.Required($"{path}.image");
        }
        if (c.GetString("imagePullPolicy") is { } pull && !PullPolicies.Contains(pull))
        {
            yield return new FieldError($"{path}.imagePullPolicy", FieldErrorType.NotSupported,
                $"\"{pull}\": supported values: \"Always\", \"IfNotPresent\", \"Never\"");
        }
        if (c["ports"] is JsonArray ports)
        {
            var portNames = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i] is not JsonObject port) continue;
                var p = $"{path}.ports[{i}]";
                var containerPort = port["containerPort"].GetLong() ?? 0;
                if (containerPort is < 1 or > 65535)
                {
                    yield return new FieldError($"{p}.containerPort", containerPort == 0 ? FieldErrorType.Required : FieldErrorType.Invalid,
                        containerPort == 0 ? "" : $"{containerPort}: must be between 1 and 65535, inclusive");
                }
                var protocol = port.GetString("protocol") ?? "TCP";
                if (!Protocols.Contains(protocol))
                {
                    yield return FieldError.NotSupported($"{p}.protocol", protocol, ["SCTP", "TCP", "UDP"]);
                }
                if (port["hostPort"].GetLong() is { } hostPort && hostPort != 0)
                {
                    if (hostPort is < 1 or > 65535)
                        yield return FieldError.Invalid($"{p}.hostPort", hostPort, "must be between 1 and 65535, inclusive");
                    else if (!hostPorts.Add((hostPort, protocol)))
                        yield return new FieldError($"{p}.hostPort", FieldErrorType.Duplicate, $"\"{hostPort}/{protocol}\"");
                }
                if (port.GetString("name") is { Length: > 0 } portName && !portNames.Add(portName))
                {
                    yield return FieldError.Duplicate($"{p}.name", portName);
                }
            }
        }
        if (c["env"] is JsonArray env)
        {
            for (var i = 0; i < env.Count; i++)
            {
                if (env[i] is JsonObject ev && string.IsNullOrEmpty(ev.GetString("name")))
                    yield return FieldError.Required($"{path}.env[{i}].name");
            }
        }
        if (c["resources"] is JsonObject resources)
        {
            foreach (var e in ResourceValidation.Validate(resources, $"{path}.resources")) yield return e;
        }
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (c[probe] is not JsonObject pr) continue;
            if (init)
            {
                // Init containers run to completion: Kubernetes allows probes only on sidecars (restartPolicy Always), which are not supported here.
                yield return FieldError.Forbidden($"{path}.{probe}", "may not be set for init containers without restartPolicy=Always");
                continue;
            }
            var handlers = new[] { "exec", "httpGet", "tcpSocket", "grpc" }.Count(h => pr[h] is not null);
            if (handlers == 0)
                yield return FieldError.Required($"{path}.{probe}", "must specify a handler type");
            else if (handlers > 1)
                yield return FieldError.Forbidden($"{path}.{probe}", "may not specify more than 1 handler type");
        }
    }
}
